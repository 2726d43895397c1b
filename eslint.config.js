// ESLint (flat config): neostandard, the Fastify ecosystem's standard style, with TypeScript. `npm run lint`,
// part of `npm test`.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/', 'coverage/', '.stack/', '.tap/', '.tools/', 'clients/generated/', 'clients/ts/schema.ts', 'test-artifacts/', 'bench/results/']
  }),
  {
    rules: {
      '@stylistic/max-len': ['error', { code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }]
    }
  }
]
