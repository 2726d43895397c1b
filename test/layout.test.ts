import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import t from 'tap'

// The layout's one rule a reader cannot see at a glance: no module imports, even for a type only, a module that
// imports it back (directly or through others). Shared types live in the module below both.
const root = join(import.meta.dirname, '..')

function modules (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? modules(path) : entry.name.endsWith('.ts') ? [path] : []
  })
}

t.test('src/, plugins/ and routes/ have no import circle, type-only imports included', async (t) => {
  const files = ['src', 'plugins', 'routes'].flatMap((dir) => modules(join(root, dir)))
  const imports = new Map(files.map((file) => [file, [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)]
    .map((m) => resolve(dirname(file), `${m[1]}.ts`)).filter((target) => files.includes(target))]))
  const circles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return
    if (state.get(file) === 'open') {
      circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(' → '))
      return
    }
    state.set(file, 'open')
    for (const target of imports.get(file) ?? []) visit(target, [...path, file])
    state.set(file, 'done')
  }
  for (const file of files) visit(file, [])
  t.same(circles, [], 'no circle')
  t.ok(files.length > 50, `read ${files.length} modules`)
})
