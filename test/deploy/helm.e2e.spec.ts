import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

// The Helm chart, checked offline the way a user meets it: `helm lint`, then `helm template` with the values a user
// would pass, asserting on the manifests Kubernetes would receive. No cluster is needed (none can run here).

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const chartDir = resolve(repoRoot, 'helm/lichen');
const release = 'lichen';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // Manifests are free-form below metadata; the tests read them as a user reading YAML would.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec: any;
}

interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

let helmBin = '';

function helm(...args: string[]): HelmResult {
  const run = spawnSync(helmBin, args, { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, HELM_DEBUG: '' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `helm template` with `--set` pairs; fails the test with helm's own message if rendering fails. */
function render(...sets: string[]): Manifest[] {
  const result = helm('template', release, chartDir, ...sets.flatMap((set) => ['--set', set]));
  expect(result.status, result.stderr).toBe(0);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) {
    const present = manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ');
    throw new Error(`no ${kind}/${name} rendered; got: ${present}`);
  }
  return found;
}

function envOf(container: { env: { name: string; value?: string; valueFrom?: unknown }[] }): Map<string, unknown> {
  return new Map(container.env.map((e) => [e.name, e.value ?? e.valueFrom]));
}

const appVersion = (parse(readFileSync(resolve(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion;

beforeAll(() => {
  helmBin = execFileSync(resolve(repoRoot, 'scripts/tools/helm.sh'), { encoding: 'utf8' }).trim();
});

describe('helm lint', () => {
  it('passes', () => {
    const result = helm('lint', chartDir);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('0 chart(s) failed');
  });

  it('passes with --strict', () => {
    const result = helm('lint', '--strict', chartDir);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });
});

describe('helm template with default values', () => {
  const exporterName = `${release}-health-exporter`;
  let manifests: Manifest[];

  beforeAll(() => {
    manifests = render();
  });

  it('runs the health exporter on every node as a DaemonSet reading the host read-only', () => {
    const daemonSet = find(manifests, 'DaemonSet', exporterName);
    const pod = daemonSet.spec.template.spec;
    const [container] = pod.containers;

    expect(container.image).toMatch(new RegExp(`lichen/health-exporter:${appVersion.replaceAll('.', '\\.')}$`));
    expect(pod.hostPID).toBe(false);

    const hostPaths = new Map(pod.volumes.map((v: { name: string; hostPath: { path: string } }) => [v.name, v.hostPath.path]));
    const mounts = container.volumeMounts.map((m: { name: string; mountPath: string; readOnly: boolean }) => ({
      host: hostPaths.get(m.name),
      at: m.mountPath,
      readOnly: m.readOnly,
    }));
    expect(mounts).toEqual(
      expect.arrayContaining([
        { host: '/proc', at: '/host/proc', readOnly: true },
        { host: '/sys', at: '/host/sys', readOnly: true },
        { host: '/', at: '/host/root', readOnly: true },
      ]),
    );
  });

  it('configures the exporter through LICHEN_* variables pointing at the release', () => {
    const [container] = find(manifests, 'DaemonSet', exporterName).spec.template.spec.containers;
    const env = envOf(container);

    expect(env.get('LICHEN_DEVICE_ID')).toEqual({ fieldRef: { fieldPath: 'spec.nodeName' } });
    expect(Object.fromEntries([...env].filter(([, value]) => typeof value === 'string'))).toMatchObject({
      LICHEN_PROC_ROOT: '/host/proc',
      LICHEN_SYS_ROOT: '/host/sys',
      LICHEN_ROOTFS: '/host/root',
      LICHEN_NATS_URL: `nats://${release}-nats:4222`,
      LICHEN_NATS_MONITOR_URL: `http://${release}-nats:8222`,
      LICHEN_REDIS_URL: `redis://${release}-redis:6379`,
      LICHEN_METRICS_PORT: '9100',
      LICHEN_HEARTBEAT_INTERVAL: '30s',
      LICHEN_LOG_LEVEL: 'info',
    });
    // The URLs name Services this release renders.
    expect(find(manifests, 'Service', `${release}-nats`).spec.ports.map((p: { port: number }) => p.port)).toEqual([4222, 8222]);
    expect(find(manifests, 'Service', `${release}-redis`).spec.ports[0].port).toBe(6379);
  });

  it('exposes /metrics on port 9100 named metrics, probed on /healthz, with scrape annotations', () => {
    const template = find(manifests, 'DaemonSet', exporterName).spec.template;
    const [container] = template.spec.containers;

    expect(container.ports).toContainEqual(expect.objectContaining({ name: 'metrics', containerPort: 9100 }));
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    }
    expect(template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9100',
      'prometheus.io/path': '/metrics',
    });
    expect(find(manifests, 'Service', exporterName).spec.ports).toContainEqual(
      expect.objectContaining({ name: 'metrics', port: 9100, targetPort: 'metrics' }),
    );
  });

  it('runs the exporter as non-root, read-only, without capabilities, with small resources', () => {
    const pod = find(manifests, 'DaemonSet', exporterName).spec.template.spec;
    const [container] = pod.containers;

    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources).toEqual({ requests: { cpu: '20m', memory: '48Mi' }, limits: { memory: '128Mi' } });
  });

  it('runs NATS with JetStream on a PVC and its monitoring port', () => {
    const nats = find(manifests, 'StatefulSet', `${release}-nats`);
    const [container] = nats.spec.template.spec.containers;

    expect(container.image).toBe('nats:2.10-alpine');
    expect(container.args).toContain('-js');
    expect(container.args.join(' ')).toContain('-sd /data');
    expect(container.args.join(' ')).toContain('-m 8222');
    expect(container.volumeMounts).toContainEqual(expect.objectContaining({ name: 'data', mountPath: '/data' }));
    expect(nats.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(nats.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
  });

  it('runs Redis with the append-only file fsynced every second, on a PVC', () => {
    const redis = find(manifests, 'StatefulSet', `${release}-redis`);
    const [container] = redis.spec.template.spec.containers;

    expect(container.image).toBe('redis:7-alpine');
    expect(container.args.join(' ')).toContain('--appendonly yes');
    expect(container.args.join(' ')).toContain('--appendfsync everysec');
    expect(redis.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
  });

  it('labels every resource with the standard labels', () => {
    for (const manifest of manifests) {
      expect(manifest.metadata.labels, `${manifest.kind}/${manifest.metadata.name}`).toMatchObject({
        'app.kubernetes.io/name': 'lichen',
        'app.kubernetes.io/instance': release,
        'app.kubernetes.io/version': appVersion,
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/component': expect.any(String),
      });
    }
  });

  it('renders no ServiceMonitor', () => {
    expect(manifests.filter((m) => m.kind === 'ServiceMonitor')).toEqual([]);
  });
});

describe('helm template with values set', () => {
  it('renders a ServiceMonitor for the exporter Service when serviceMonitor.enabled=true', () => {
    const manifests = render('serviceMonitor.enabled=true', 'serviceMonitor.interval=15s', 'serviceMonitor.labels.release=kps');
    const monitors = manifests.filter((m) => m.kind === 'ServiceMonitor');

    expect(monitors).toHaveLength(1);
    const monitor = find(manifests, 'ServiceMonitor', `${release}-health-exporter`);
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels?.release).toBe('kps');
    expect(monitor.spec.endpoints).toContainEqual(
      expect.objectContaining({ port: 'metrics', path: '/metrics', interval: '15s' }),
    );
    const service = find(manifests, 'Service', `${release}-health-exporter`);
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
  });

  it('drops the scrape annotations when metrics.scrapeAnnotations=false', () => {
    const template = find(render('metrics.scrapeAnnotations=false'), 'DaemonSet', `${release}-health-exporter`).spec.template;
    expect(Object.keys(template.metadata.annotations ?? {}).filter((k) => k.startsWith('prometheus.io/'))).toEqual([]);
  });

  it('passes user settings through to the manifests', () => {
    const manifests = render(
      'image.registry=registry.local:5000',
      'image.tag=v9',
      'config.heartbeatInterval=10s',
      'config.logLevel=debug',
      'nats.persistence.size=8Gi',
      'nats.persistence.storageClass=fast',
    );
    const [container] = find(manifests, 'DaemonSet', `${release}-health-exporter`).spec.template.spec.containers;
    expect(container.image).toBe('registry.local:5000/lichen/health-exporter:v9');
    expect(envOf(container).get('LICHEN_HEARTBEAT_INTERVAL')).toBe('10s');
    expect(envOf(container).get('LICHEN_LOG_LEVEL')).toBe('debug');
    const claim = find(manifests, 'StatefulSet', `${release}-nats`).spec.volumeClaimTemplates[0].spec;
    expect(claim).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '8Gi' } } });
  });

  it.each([
    { set: 'image.tag=123', message: /image\.tag: Invalid type\. Expected: string, given: integer/ },
    { set: 'resources=small', message: /resources: Invalid type\. Expected: object, given: string/ },
    { set: 'serviceMonitor.enabled=yes', message: /serviceMonitor\.enabled: Invalid type\. Expected: boolean/ },
    { set: 'metrics.port=99999', message: /metrics\.port: Must be less than or equal to 65535/ },
    { set: 'config.heartbeatInterval=soon', message: /config\.heartbeatInterval: Does not match pattern/ },
    { set: 'serviceMonitr.enabled=true', message: /Additional property serviceMonitr is not allowed/ },
  ])('rejects $set, naming the value', ({ set, message }) => {
    const result = helm('template', release, chartDir, '--set', set);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});

describe('chart README', () => {
  type Tree = { [key: string]: unknown };
  const values = parse(readFileSync(resolve(chartDir, 'values.yaml'), 'utf8')) as Tree;
  const readme = readFileSync(resolve(chartDir, 'README.md'), 'utf8');
  const documented = new Set([...readme.matchAll(/^\| `([\w.]+)` \|/gm)].map((m) => m[1] ?? ''));

  function leafPaths(tree: Tree, prefix = ''): string[] {
    return Object.entries(tree).flatMap(([key, value]) => {
      const path = prefix + key;
      const isBranch = value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0;
      return isBranch ? leafPaths(value as Tree, `${path}.`) : [path];
    });
  }

  it('documents every value (a value or one of its parents is a row of the values table)', () => {
    const undocumented = leafPaths(values).filter((path) => {
      const parts = path.split('.');
      return !parts.some((_, i) => documented.has(parts.slice(0, i + 1).join('.')));
    });
    expect(undocumented).toEqual([]);
  });

  it('shows the install command', () => {
    expect(readme).toContain('helm install lichen ./helm/lichen');
  });

  it('documents no value that does not exist', () => {
    const exists = (path: string) =>
      path.split('.').reduce<unknown>((node, key) => (node as Tree | undefined)?.[key], values) !== undefined;
    expect([...documented].filter((path) => !exists(path))).toEqual([]);
  });
});
