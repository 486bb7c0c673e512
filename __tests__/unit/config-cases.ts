/** Bad inputs and the exact message each must produce; shared by the unit test and the end-to-end test. */
export const VALID_INPUTS: Record<string, string> = {
  token: 'ghp_valid',
  owner: 'acme',
  'package-type': 'container',
  'package-names': 'app',
  'keep-last': '10',
  'min-age': '7d',
  'delete-tags': '',
  'keep-tags': '',
  untagged: '',
  'dry-run': 'false',
  'max-deletions': '',
  'api-url': 'https://api.github.com',
  'registry-url': 'https://ghcr.io',
  restore: ''
}

export const BAD_INPUTS: [Record<string, string>, string][] = [
  [
    { 'min-age': '1m' },
    'min-age: "1m" is ambiguous: `m` could be minutes or months; write minutes as `1min`, or days as `30d`'
  ],
  [
    { restore: 'deleted-within:30m' },
    'restore: "deleted-within:30m" is ambiguous: `m` could be minutes or months; write `deleted-within:30min` or `deleted-within:7d`'
  ],
  [
    { restore: '{"id": 1}' },
    'restore: "{\\"id\\": 1}" is not a run record: its first line is not a package-retention-run header'
  ],
  [
    { restore: '[{"id": 1}, {"more": 3, "see": "/tmp/x.jsonl"}]' },
    'restore: "[{\\"id\\": 1}, {\\"more\\": 3, \\"see\\": \\"/tmp/x.jsonl\\"}]" is a `deleted` output that was cut short; pass the run’s record instead (the `journal-file` output, or its content)'
  ],
  [{ 'keep-last': 'ten' }, 'keep-last: "ten" is not a whole number (0 or more)'],
  [
    { 'rate-limit-reserve': 'ten' },
    'rate-limit-reserve: "ten" is not a whole number of requests (0 or more, e.g. 500) or a percentage of the rate limit from 0% to 99% (e.g. 10%)'
  ],
  [
    { 'rate-limit-reserve': '100%' },
    'rate-limit-reserve: "100%" is not a whole number of requests (0 or more, e.g. 500) or a percentage of the rate limit from 0% to 99% (e.g. 10%)'
  ],
  [
    { 'rate-limit-reserve': '-5' },
    'rate-limit-reserve: "-5" is not a whole number of requests (0 or more, e.g. 500) or a percentage of the rate limit from 0% to 99% (e.g. 10%)'
  ],
  [
    { 'rate-limit-reserve': '2.5%' },
    'rate-limit-reserve: "2.5%" is not a whole number of requests (0 or more, e.g. 500) or a percentage of the rate limit from 0% to 99% (e.g. 10%)'
  ],
  [
    { shard: '0/4' },
    'shard: "0/4" is not K/N with 1 ≤ K ≤ N ≤ 100 (e.g. 2/4: the second of four matrix jobs); leave it empty for no matrix'
  ],
  [
    { shard: '5/4' },
    'shard: "5/4" is not K/N with 1 ≤ K ≤ N ≤ 100 (e.g. 2/4: the second of four matrix jobs); leave it empty for no matrix'
  ],
  [
    { shard: '2' },
    'shard: "2" is not K/N with 1 ≤ K ≤ N ≤ 100 (e.g. 2/4: the second of four matrix jobs); leave it empty for no matrix'
  ],
  [
    { shard: '1/101' },
    'shard: "1/101" is not K/N with 1 ≤ K ≤ N ≤ 100 (e.g. 2/4: the second of four matrix jobs); leave it empty for no matrix'
  ],
  [{ 'keep-last': '-1' }, 'keep-last: "-1" is not a whole number (0 or more)'],
  [{ 'keep-last': '2.5' }, 'keep-last: "2.5" is not a whole number (0 or more)'],
  [{ 'min-age': '3 fortnights' }, 'min-age: "3 fortnights" is not a duration; use 30d, 12h, 2w or P30D'],
  [{ 'min-age': '30' }, 'min-age: "30" is not a duration; use 30d, 12h, 2w or P30D'],
  [{ 'min-age': 'P1M' }, 'min-age: "P1M" is not a duration; use 30d, 12h, 2w or P30D'],
  [{ 'min-age': 'PT' }, 'min-age: "PT" is not a duration; use 30d, 12h, 2w or P30D'],
  [
    { 'package-type': 'pip' },
    'package-type: "pip" is not one of npm, maven, rubygems, docker, nuget, container'
  ],
  [
    { 'package-type': '' },
    'package-type: is empty; give one of npm, maven, rubygems, docker, nuget, container (only a registry_package event supplies it)'
  ],
  [
    { 'package-type': 'Container' },
    'package-type: "Container" is not one of npm, maven, rubygems, docker, nuget, container'
  ],
  [
    { 'package-type': 'npm', untagged: 'include' },
    'untagged: "include" applies to container packages only, and package-type is "npm"'
  ],
  [{ untagged: 'all' }, 'untagged: "all" is not one of include, only, exclude'],
  [
    { 'package-names': ' , ,' },
    'package-names: ", ," names no package; give names or globs separated by newlines or commas'
  ],
  [
    { 'package-names': 'app-{a,b' },
    'package-names: "app-{a,b" is not a valid glob: "app-{a,b" has an unclosed "{"'
  ],
  [{ 'delete-tags': 'pr-[0-9' }, 'delete-tags: "pr-[0-9" is not a valid glob: "pr-[0-9" has an unclosed "["'],
  [{ 'keep-tags': 'v1.*, !' }, 'keep-tags: "v1.*, !": "!" is not a valid glob: "!" is empty after "!"'],
  [
    { 'delete-tags': 'pr-*, /pr-(\\d+/' },
    'delete-tags: "pr-*, /pr-(\\\\d+/": "/pr-(\\\\d+/" is not a valid regular expression: missing closing ): `pr-(\\d+` (the syntax is RE2\'s: no lookaround, no backreferences)'
  ],
  [
    { 'keep-tags': '/(?<=v)\\d+/' },
    'keep-tags: "/(?<=v)\\\\d+/" is not a valid regular expression: invalid named capture: `(?<=v)\\d+` (the syntax is RE2\'s: no lookaround, no backreferences)'
  ],
  [
    { 'keep-tags': '/\\d{23}/' },
    'keep-tags: "/\\\\d{23}/" is not a valid regular expression: it compiles to 25 instructions, more than 24 (about one a character, a class or a group; x{n} counts x n times)'
  ],
  [
    { 'delete-tags': 'semver:>=1.0.0,<2.0.0' },
    'delete-tags: "semver:>=1.0.0,<2.0.0": "<2.0.0" is not a valid glob: "<2.0.0" starts with "<", as no tag or name does: a comma cut a range in two; a range is written with spaces (semver:>=1.0.0 <2.0.0) or || (semver:<1.0.0 || >=2.0.0)'
  ],
  [
    { 'keep-tags': '!semver:>=banana' },
    'keep-tags: "!semver:>=banana" is not a node-semver range (such as <2.0.0, ^1.4, 1.x)'
  ],
  [
    { 'package-names': 'app, semver:^1' },
    'package-names: "app, semver:^1": "semver:^1" is not a valid glob: "semver:^1" is a version range, which only delete-tags and keep-tags take (in a policy: match: { semver: RANGE })'
  ],
  [
    { 'package-names': '/app-.*/g' },
    'package-names: "/app-.*/g" is not a valid regular expression: flag "g": i is the only flag allowed'
  ],
  [{ 'dry-run': 'yes' }, 'dry-run: "yes" is not true or false'],
  [
    { 'max-deletions': '0' },
    'max-deletions: "0" is not a whole number of 1 or more (leave it empty for no cap)'
  ],
  [
    { 'max-deletions': 'many' },
    'max-deletions: "many" is not a whole number of 1 or more (leave it empty for no cap)'
  ],
  [{ 'api-url': 'api.github.com' }, 'api-url: "api.github.com" is not an https URL'],
  [{ 'api-url': 'ftp://example.com' }, 'api-url: "ftp://example.com" is not an https URL'],
  [{ 'registry-url': 'ghcr' }, 'registry-url: "ghcr" is not an https URL'],
  [
    { 'api-url': 'http://ghe.example.com/api/v3' },
    'api-url: "http://ghe.example.com/api/v3" is plain http, which only loopback hosts may use (localhost, *.localhost, 127.0.0.0/8, [::1]); give an https URL'
  ],
  [
    { 'registry-url': 'http://containers.example.com' },
    'registry-url: "http://containers.example.com" is plain http, which only loopback hosts may use (localhost, *.localhost, 127.0.0.0/8, [::1]); give an https URL'
  ],
  [{ owner: 'acme corp' }, 'owner: "acme corp" is not a GitHub user or organisation login'],
  [{ owner: '' }, 'owner: "" is not a GitHub user or organisation login'],
  [{ owner: 'octocat_' }, 'owner: "octocat_" is not a GitHub user or organisation login'],
  [{ owner: '_acme' }, 'owner: "_acme" is not a GitHub user or organisation login'],
  [{ token: '' }, 'token: is empty; pass a token (the default is the workflow’s GITHUB_TOKEN)'],
  [
    { restore: 'deleted-within:soon' },
    'restore: "deleted-within:soon" has no valid window; use deleted-within:7d (a duration above 0)'
  ],
  [
    { restore: 'v1.2.3' },
    'restore: "v1.2.3" is neither version ids, an earlier run’s `deleted` output (JSON), nor deleted-within:<duration>'
  ],
  [
    { restore: '[{"id": "x"}]' },
    'restore: "[{\\"id\\": \\"x\\"}]" is neither version ids, an earlier run’s `deleted` output (JSON), nor deleted-within:<duration>'
  ],
  [{ 'delete-closed': 'pull-requests, tags' }, 'delete-closed: "tags" is not one of pull-requests, branches'],
  [{ 'keep-in-use': 'release' }, 'keep-in-use: "release" is not one of releases, deployments'],
  [
    { 'delete-closed': 'branches', 'branch-tags': 'branch-{name}' },
    'branch-tags: "branch-{name}" has not exactly one of {branch} among characters a tag may have'
  ],
  [{ 'keep-in-use': 'releases', repository: 'acme' }, 'repository: "acme" is not a repository (owner/name)'],
  [
    { 'commit-tags': 'sha-{sha:7}' },
    'commit-tags: apply only with delete-closed or keep-in-use, and neither is given'
  ],
  [
    { 'package-type': 'npm', 'registry-url': '', 'keep-in-use': 'releases' },
    'keep-in-use: "releases" applies to container packages only (images tagged as docker/metadata-action tags them), and package-type is "npm"'
  ]
]
