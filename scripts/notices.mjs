/**
 * `node scripts/notices.mjs STATS` prints the bundle's third-party notices (dist/licenses.txt): one entry for
 * every package whose files ncc put into dist/, as its webpack stats (`ncc --stats-out STATS`) list the
 * modules, with the name, version and licence the package's own package.json gives and the text of its own
 * licence files. Sorted, and free of local paths, so that two builds of one tree write the same file.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Folders of the packages the bundle holds files of: the innermost node_modules/NAME (or @scope/NAME). */
export function bundledPackageDirs(stats) {
  const dirs = new Set()
  const walk = modules => {
    for (const module of modules ?? []) {
      const dir = /^(.*[/\\]node_modules[/\\](?:@[^/\\]+[/\\])?[^/\\]+)[/\\]/.exec(
        module.nameForCondition ?? ''
      )
      if (dir) dirs.add(dir[1])
      walk(module.modules)
    }
  }
  walk(stats.modules)
  return [...dirs]
}

const LICENCE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i

function entry(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const licence =
    typeof pkg.license === 'string'
      ? pkg.license
      : (pkg.license?.type ?? pkg.licenses?.map(l => l.type ?? l).join(' OR ') ?? 'not stated')
  const texts = readdirSync(dir)
    .filter(file => LICENCE_FILE.test(file))
    .sort()
    .map(file => readFileSync(join(dir, file), 'utf8').replace(/\r\n?/g, '\n').trim())
  const body =
    texts.length > 0
      ? texts.join('\n\n')
      : `(the package has no licence file; its package.json says ${licence})`
  return {
    id: `${pkg.name}@${pkg.version}`,
    text: `${pkg.name}@${pkg.version}\nLicense: ${licence}\n\n${body}\n`
  }
}

const stats = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const entries = new Map(
  bundledPackageDirs(stats)
    .map(dir => entry(dir))
    .map(e => [e.id, e.text])
)
const ids = [...entries.keys()].sort()
process.stdout.write(
  `Third-party software in this bundle (dist/): ${ids.length} packages, each with its licence as it ships it.\n\n` +
    ids.map(id => entries.get(id)).join(`\n${'-'.repeat(80)}\n\n`)
)
