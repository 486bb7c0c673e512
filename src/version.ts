/** The package's version (package.json's), bundled into dist/: what `--version` prints and every run logs. */
import pkg from '../package.json' with { type: 'json' }

export const VERSION: string = pkg.version
