// The Helm chart (deploy/helm/microdrama): `helm lint` and `helm template` with Helm built from its Go module
// (tools/helm/go.mod, by scripts/build-stack.sh), every rendered object validated against the Kubernetes API's own
// schemas (kubernetes-validate from PyPI, tools/kubernetes-validate/requirements.txt), and values that break
// values.schema.json refused.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parseAllDocuments } from 'yaml'

const root = join(import.meta.dirname, '..', '..')
const helm = join(root, '.stack', 'bin', 'helm')
const chart = join(root, 'deploy', 'helm', 'microdrama')
const production = join(root, 'deploy', 'helm', 'values-production.yaml')
const KUBERNETES = '1.34.0'

interface Manifest {
  apiVersion: string
  kind: string
  metadata: { name: string, annotations?: Record<string, string> }
  spec?: any
}

/** kubernetes-validate in a venv of its own, from the pinned requirements (made once, like the stack's tools). */
function kubernetesValidate (): string {
  const venv = join(root, '.stack', 'venv-kubernetes-validate')
  const bin = join(venv, 'bin', 'kubernetes-validate')
  if (!existsSync(bin)) {
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' })
    execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', '-r', join(root, 'tools', 'kubernetes-validate', 'requirements.txt')], { stdio: 'inherit' })
  }
  return bin
}

const run = (args: string[]) => spawnSync(helm, args, { encoding: 'utf8' })
const render = (...values: string[]) => {
  const out = run(['template', 'microdrama', chart, '--namespace', 'media', ...values.flatMap((v) => ['-f', v])])
  if (out.status !== 0) throw new Error(out.stderr)
  const objects = parseAllDocuments(out.stdout).map((d) => d.toJS() as Manifest).filter((m) => m !== null)
  return { text: out.stdout, objects }
}

if (!existsSync(helm)) {
  const reason = `${helm} is missing: scripts/build-stack.sh builds it (npm test runs that)`
  if (process.env.CI === 'true') t.fail(reason)
  else t.plan(0, reason)
} else {
  const validator = kubernetesValidate()

  t.test('the chart lints and its version follows the package\'s', async (t) => {
    for (const values of [[], ['-f', production]]) {
      const lint = run(['lint', '--strict', chart, ...values])
      t.equal(lint.status, 0, lint.stdout + lint.stderr)
    }
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
    t.match(readFileSync(join(chart, 'Chart.yaml'), 'utf8'), new RegExp(`^version: ${pkg.version.replaceAll('.', '\\.')}$`, 'm'))
  })

  for (const [name, values] of [['default values', []], ['production-like values', [production]]] as const) {
    t.test(`rendered with the ${name}: valid Kubernetes ${KUBERNETES} objects, as an operator needs them`, async (t) => {
      const { text, objects } = render(...values)
      const file = join(mkdtempSync(join(tmpdir(), 'chart-')), 'rendered.yaml')
      // Custom resources (KEDA, Prometheus Operator) have no schema in Kubernetes' own: checked by hand below.
      const builtIn = objects.filter((o) => !/keda\.sh|monitoring\.coreos\.com/.test(o.apiVersion))
      writeFileSync(file, builtIn.map((o) => JSON.stringify(o)).join('\n---\n'))
      const checked = spawnSync(validator, ['-k', KUBERNETES, '--strict', '--quiet', file], { encoding: 'utf8' })
      t.equal(checked.status, 0, checked.stdout + checked.stderr)

      t.notOk(objects.some((o) => o.kind === 'Secret'), 'no Secret is rendered')
      t.notMatch(text, /JWT_SECRET|STRIPE_SECRET_KEY|MONGODB_URI: /, 'no secret value in the manifests')
      const byKind = (kind: string) => objects.filter((o) => o.kind === kind)
      const deployments = byKind('Deployment')
      t.same(deployments.map((d) => d.metadata.name).sort(), ['microdrama-api', 'microdrama-worker'])
      for (const deployment of deployments) {
        const pod = deployment.spec.template.spec
        const container = pod.containers[0]
        t.ok(container.startupProbe && container.livenessProbe && container.readinessProbe, `${deployment.metadata.name}: three probes`)
        t.ok(container.resources.requests.memory && container.resources.limits.memory, `${deployment.metadata.name}: memory request and limit`)
        t.match(container.securityContext, { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false })
        t.match(pod.securityContext, { runAsNonRoot: true, runAsUser: 1000 })
        t.ok(pod.volumes.some((v: { name: string, emptyDir?: object }) => v.name === 'tmp' && v.emptyDir), 'a writable /tmp')
        t.match(container.envFrom, [{ configMapRef: {} }, { secretRef: { name: values.length === 0 ? 'microdrama' : 'microdrama-prod' } }])
      }
      const api = deployments.find((d) => d.metadata.name === 'microdrama-api')!.spec.template.spec.containers[0]
      t.match(api.readinessProbe.httpGet, { path: '/health/ready' })
      t.equal(byKind('PodDisruptionBudget').length, 2, 'a PodDisruptionBudget each')
      t.match(byKind('HorizontalPodAutoscaler'), [{ spec: { scaleTargetRef: { name: 'microdrama-api' }, metrics: [{ resource: { name: 'cpu' } }] } }])
      const migrate = byKind('Job')[0]!
      t.match(migrate.metadata.annotations, { 'helm.sh/hook': 'pre-install,pre-upgrade' }, 'indexes by a hook Job')
      t.match(objects.find((o) => o.kind === 'ConfigMap'), { data: { INDEXES_AT_STARTUP: 'false' } }, 'not by the pods')
      t.equal(byKind('NetworkPolicy').length, 2)
      if (values.length > 0) {
        t.match(byKind('Ingress'), [{ spec: { rules: [{ host: 'api.example.com' }], tls: [{ secretName: 'microdrama-api-tls' }] } }])
        t.match(byKind('ScaledObject'), [{ spec: { scaleTargetRef: { name: 'microdrama-worker' }, triggers: [{ type: 'prometheus' }] } }])
        t.match(byKind('ServiceMonitor'), [{ spec: { endpoints: [{ port: 'metrics' }] } }])
        t.notOk(deployments.find((d) => d.metadata.name === 'microdrama-worker')!.spec.replicas, 'KEDA owns the workers\' count')
      } else {
        t.equal(byKind('Ingress').length + byKind('ScaledObject').length + byKind('ServiceMonitor').length, 0, 'optional objects off')
      }
    })
  }

  t.test('values that break values.schema.json fail at install', async (t) => {
    for (const [why, set] of [
      ['no replicas', 'api.replicas=0'],
      ['a secret as a plain setting', 'config.JWT_SECRET=in-clear'],
      ['a typo in a key', 'worker.replica=2'],
      ['memory as a number', 'api.resources.limits.memory=256']
    ] as const) {
      const out = run(['template', 'microdrama', chart, '--set', set])
      t.not(out.status, 0, why)
      t.match(out.stderr, /values don't meet the specifications of the schema|schema/i, `${why}: named by the schema`)
    }
  })
}
