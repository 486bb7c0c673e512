/**
 * The words every message uses for what a value must be, for the inputs as for a policy file. Apart from
 * policy-file.ts, so that a run without a policy loads neither the YAML parser nor the schema validator.
 */
import { hasAmbiguousMinutes } from '../engine/time.js'

export const ALLOWED = {
  wholeNumber: 'is not a whole number (0 or more)',
  duration: 'is not a duration; use 30d, 12h, 2w or P30D',
  ambiguousMinutes: 'is ambiguous: `m` could be minutes or months; write minutes as `1min`, or days as `30d`'
} as const

/** Why a duration (`min-age`, a restore window) is not one, in the words of ALLOWED. */
export function durationProblem(text: string): string {
  return hasAmbiguousMinutes(text) ? ALLOWED.ambiguousMinutes : ALLOWED.duration
}
