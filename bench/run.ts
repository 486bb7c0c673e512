/**
 * `npm run bench`: the policy engine on a million versions, then the run against the embedded fake API, then
 * the start-up of the bundle (dist/, which `npm run build` makes).
 * Figures are printed as JSON; BENCHMARKS.md records them with the machine they were taken on.
 */
import { benchApi } from './api.js'
import { benchPolicy } from './policy.js'
import { benchReads } from './reads.js'
import { benchRepository } from './repository.js'
import { benchStartup } from './startup.js'
import { benchChain, benchOrder } from './order.js'

console.log(
  JSON.stringify(
    {
      policy: await benchPolicy(),
      api: await benchApi(),
      reads: await benchReads(),
      repository: await benchRepository(),
      startup: await benchStartup(),
      order: [await benchOrder(2_000), await benchOrder(10_000), await benchChain(100, 50)]
    },
    null,
    2
  )
)
