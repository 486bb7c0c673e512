/**
 * `npm run bench`: the policy engine on a million versions and on expressions at their worst, then the run
 * against the embedded fake API (one large package near its floor among them), then the start-up of the bundle
 * (dist/, which `npm run build` makes). The organisation at size (`bench/org.ts`) runs on its own: it takes
 * minutes.
 * Figures are printed as JSON; BENCHMARKS.md records them with the machine they were taken on.
 */
import { benchApi } from './api.js'
import { benchExpressions } from './expressions.js'
import { benchPolicy } from './policy.js'
import { benchReads } from './reads.js'
import { benchRepository } from './repository.js'
import { benchStartup } from './startup.js'
import { benchChain, benchOrder } from './order.js'
import { benchLargePackage } from './large-package.js'

console.log(
  JSON.stringify(
    {
      policy: await benchPolicy(),
      expressions: benchExpressions(),
      api: await benchApi(),
      reads: await benchReads(),
      largePackage: await benchLargePackage(),
      repository: await benchRepository(),
      startup: await benchStartup(),
      order: [await benchOrder(2_000), await benchOrder(10_000), await benchChain(100, 50)]
    },
    null,
    2
  )
)
