/**
 * `shard: K/N`: which matrix job a package belongs to. By a hash of its name, not its place in the list, so
 * that a package added or removed moves no other package to another job; N jobs cover each package once.
 */
import { createHash } from 'node:crypto'
import type { Shard } from '../types.js'

/** Whether the package named `name` is this shard's: the first 48 bits of its name's sha256, modulo N. */
export function inShard(name: string, shard: Shard): boolean {
  const bits = Number.parseInt(createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 12), 16)
  return bits % shard.count === shard.index - 1
}
