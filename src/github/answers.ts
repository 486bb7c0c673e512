/**
 * GitHub's answers to a write (a delete or a restore), decoded where they arrive: the one place that reads
 * GitHub's wording (see api-facts). Each answer keeps its status and GitHub's message as evidence for the report.
 */
import { errorMessage } from '../errors.js'
import type { ApiAnswer, WriteVerb } from '../types.js'

/** The status of a raw answer when none came at all (the connection failed). GitHub never answers 0. */
export const NO_ANSWER_STATUS = 0

export type WriteAnswerKind =
  /** 2xx: deleted or restored. */
  | 'done'
  /** Delete: 404 "Package version not found.": someone else deleted it first. */
  | 'already-gone'
  /** Delete: an earlier try got no answer or a server error, and the retry found the version gone. */
  | 'gone-after-lost-answer'
  /** 400: a public version with more than 5,000 downloads, which GitHub refuses to delete. */
  | 'download-limit'
  /** 400: the last (tagged) version of a package, which goes only with the package. */
  | 'last-version'
  /** 403 or 429 naming the (primary or secondary) rate limit. */
  | 'rate-limited'
  /** 401: the token itself was rejected. */
  | 'token-rejected'
  /** 403: the token lacks a scope or the package's Admin role. */
  | 'no-access'
  /** 404 "Package not found.": the package is gone, or the token may read but not manage it. */
  | 'package-missing'
  /** Restore: 404 "Package version not found.": not deleted, or deleted more than 30 days ago. */
  | 'version-missing'
  /** Restore: 400 "... already exists ...": a newer version now has this name. */
  | 'name-taken'
  /** No answer at all (the connection failed): the write may or may not have been done. */
  | 'no-answer'
  /** Never sent: the run was stopped while the write waited for its turn. */
  | 'not-sent'
  /** 5xx: the write may or may not have been done. */
  | 'server-error'
  /** Any other answer. */
  | 'other'

/** One answer to a write: what it means, with GitHub's status (when it answered) and message as evidence. */
export type WriteAnswer =
  | { kind: Exclude<WriteAnswerKind, 'no-answer' | 'not-sent'>; status: number; message: string }
  | { kind: 'no-answer'; message: string }
  | { kind: 'not-sent'; message: string }

/** What GitHub's answer to a write means. The texts are GitHub's, matched loosely on purpose. */
export function decodeWrite(verb: WriteVerb, answer: ApiAnswer): WriteAnswer {
  const { status, message } = answer
  const as = (kind: Exclude<WriteAnswerKind, 'no-answer' | 'not-sent'>): WriteAnswer => ({
    kind,
    status,
    message
  })
  if (status === NO_ANSWER_STATUS) return { kind: 'no-answer', message }
  if (status >= 200 && status < 300) return as('done')
  if (status >= 500) return as('server-error')
  if (status === 404 && /package version not found/i.test(message)) {
    if (verb === 'restore') return as('version-missing')
    return as(answer.afterLostAnswer === true ? 'gone-after-lost-answer' : 'already-gone')
  }
  if (status === 400 && /more than 5,?000 downloads/i.test(message)) return as('download-limit')
  if (status === 400 && /cannot delete the last/i.test(message)) return as('last-version')
  if ((status === 403 || status === 429) && /rate limit/i.test(message)) return as('rate-limited')
  if (status === 401) return as('token-rejected')
  if (status === 403) return as('no-access')
  if (status === 404) return as('package-missing')
  if (status === 400 && /already exists/i.test(message)) return as('name-taken')
  return as('other')
}

/** A write that threw instead of answering: no answer, with the error as its message. */
export function noAnswer(error: unknown): WriteAnswer {
  return { kind: 'no-answer', message: errorMessage(error) }
}
