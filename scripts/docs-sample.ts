/**
 * `npm run docs:sample`: runs the demo's first policy as a dry run on the bundle just built and writes its log
 * and job summary into the README's "What a run looks like".
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { demoSample, withSample } from '../demo/sample.js'

const README = fileURLToPath(new URL('../README.md', import.meta.url))
writeFileSync(README, withSample(readFileSync(README, 'utf8'), await demoSample()))
console.log('README.md: "What a run looks like" is the demo\'s dry run of today')
