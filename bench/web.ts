// npm run bench:web
//
// The web app's weight, as a browser downloads it: builds web/ (vite build, as npm run build does) and reports each
// asset's gzipped size, then what each area loads: the studio, the console's lists and the catalogue need the entry
// chunk and the stylesheet; playing a video adds the hls.js chunk (loaded on demand). Against the budget of 250 kB
// of JavaScript gzipped. The player's first frame is measured in a real browser by test/e2e/web-player.test.ts,
// which writes test-artifacts/web-first-frame.json: printed here when a test run left one.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const root = join(import.meta.dirname, '..')
const BUDGET_KB = 250

execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'error'], { cwd: root, stdio: 'inherit' })
const dir = join(root, 'dist', 'web', 'assets')
const kb = (bytes: number) => Math.round(bytes / 102.4) / 10
const assets = readdirSync(dir).filter((f) => /\.(js|css)$/.test(f)).map((file) => {
  const body = readFileSync(join(dir, file))
  return { file, raw: body.length, gzip: gzipSync(body, { level: 9 }).length }
})
console.log('| asset | raw kB | gzipped kB |\n| --- | ---: | ---: |')
for (const a of assets) console.log(`| ${a.file} | ${kb(a.raw)} | ${kb(a.gzip)} |`)

const sum = (pick: (file: string) => boolean) => assets.filter((a) => a.file.endsWith('.js') && pick(a.file)).reduce((n, a) => n + a.gzip, 0)
const entry = sum((f) => f.startsWith('index-'))
const withPlayer = entry + sum((f) => f.startsWith('hls-'))
console.log(`\nJavaScript, gzipped: studio, console lists and catalogue ${kb(entry)} kB (${Math.round(entry / 1024 / BUDGET_KB * 100)} % of ${BUDGET_KB} kB); ` +
  `with the player (hls.js) ${kb(withPlayer)} kB (${Math.round(withPlayer / 1024 / BUDGET_KB * 100)} %)`)
const frame = join(root, 'test-artifacts', 'web-first-frame.json')
if (existsSync(frame)) {
  const { firstFrameMs, at } = JSON.parse(readFileSync(frame, 'utf8')) as { firstFrameMs: number, at: string }
  console.log(`The player's first frame: ${firstFrameMs} ms after the click that opens an episode (${Math.round(firstFrameMs / 15)} % of 1.5 s; test run of ${at})`)
}
