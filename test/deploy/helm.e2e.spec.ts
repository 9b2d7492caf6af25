import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { environmentVariable, loadConfig } from '@lichen/config';
import { hostConfigProblems, hostConfigShape, natsServerConfig } from '@lichen/host';
import { syncAgent } from '@lichen/sync-agent';

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

type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };

function envOf(container: { env: EnvVar[] }): Map<string, unknown> {
  return new Map(container.env.map((e) => [e.name, e.value ?? e.valueFrom]));
}

/** A value of a Secret the chart renders, decoded as the kubelet gives it to a container. */
function secretValue(manifests: Manifest[], name: string, key: string): string | undefined {
  const secret = manifests.find((m) => m.kind === 'Secret' && m.metadata.name === name) as
    { data?: Record<string, string> } | undefined;
  const encoded = secret?.data?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}

/** The exporter's container and pod spec, as the DaemonSet renders them. */
function exporterPod(manifests: Manifest[]) {
  const pod = find(manifests, 'DaemonSet', `${release}-health-exporter`).spec.template.spec;
  return { pod, container: pod.containers[0] };
}

/**
 * The environment a container's process would see on a node, with the downward API and the release's Secrets filled in
 * as the kubelet does.
 */
function processEnv(manifests: Manifest[], container: { env: EnvVar[] }, nodeName: string): Record<string, string> {
  const valueOf = (e: EnvVar) => {
    if (e.value !== undefined) return e.value;
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) return secretValue(manifests, ref.name, ref.key) ?? '';
    return e.name === 'LICHEN_DEVICE_ID' ? nodeName : '';
  };
  return Object.fromEntries(container.env.map((e) => [e.name, valueOf(e)]));
}

/** The NATS pod: its two containers, NATS and the lichen container beside it, which writes NATS's users. */
function natsPod(manifests: Manifest[]) {
  const statefulSet = find(manifests, 'StatefulSet', `${release}-nats`);
  const pod = statefulSet.spec.template.spec;
  const byName = (name: string) => pod.containers.find((c: { name: string }) => c.name === name);
  return { statefulSet, pod, nats: byName('nats'), lichen: byName('lichen') };
}

type Mount = { name: string; mountPath: string; subPath?: string; readOnly?: boolean };

/** Where each of a container's mounts comes from: a hostPath, an emptyDir, a Secret, a ConfigMap or a PVC folder. */
function mountsOf(
  statefulSet: { spec?: { volumeClaimTemplates?: { metadata: { name: string } }[] } },
  pod: { volumes: { name: string }[] },
  container: { volumeMounts: Mount[] },
): Record<string, string> {
  const claims = new Set((statefulSet.spec?.volumeClaimTemplates ?? []).map((claim) => claim.metadata.name));
  type Volume = {
    hostPath?: { path: string; type: string };
    emptyDir?: object;
    secret?: { secretName: string };
    configMap?: { name: string };
  };
  const volumes = new Map(pod.volumes.map((v) => [v.name, v as Volume]));
  const source = (m: Mount) => {
    const volume = volumes.get(m.name);
    const from = m.subPath ? ` ${m.subPath}` : '';
    if (claims.has(m.name)) return `pvc ${m.name}${from}`;
    if (volume?.hostPath) return `hostPath ${volume.hostPath.path} (${volume.hostPath.type})`;
    if (volume?.emptyDir) return `emptyDir ${m.name}`;
    if (volume?.secret) return `secret ${volume.secret.secretName}`;
    if (volume?.configMap) return `configMap ${volume.configMap.name}${from}`;
    return '?';
  };
  return Object.fromEntries(container.volumeMounts.map((m) => [m.mountPath, source(m) + (m.readOnly ? ' (ro)' : '')]));
}

/** The nats.conf the chart's NATS runs from. */
function natsConf(manifests: Manifest[]): string {
  return (find(manifests, 'ConfigMap', `${release}-nats`) as unknown as { data: Record<string, string> }).data['nats.conf'] ?? '';
}

/** The variables the runtime host reads, and those the sync agent reads (its config shape, as the host loads it). */
const hostVariables = Object.keys(hostConfigShape).map((key) => environmentVariable(key));
const syncAgentVariables = Object.keys(syncAgent.config).map((key) => environmentVariable(key));

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

  it('runs the health exporter on every node from the one Lichen image, reading the host read-only', () => {
    const { pod, container } = exporterPod(manifests);

    expect(container.image).toBe(`docker.io/lichen/lichen:${appVersion}`);
    // The image's entrypoint (node /app/lichen.mjs) stays; the arguments pick the service.
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(['run', 'health-exporter']);
    expect(pod.hostPID).toBe(false);

    const volumes = new Map(pod.volumes.map((v: { name: string }) => [v.name, v]));
    const mounts = container.volumeMounts.map((m: { name: string; mountPath: string; readOnly?: boolean }) => ({
      host: (volumes.get(m.name) as { hostPath?: { path: string } }).hostPath?.path,
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

  it('gives the exporter a writable emptyDir as its data folder under a read-only root filesystem', () => {
    const { pod, container } = exporterPod(manifests);
    const dataDir = envOf(container).get('LICHEN_DATA_DIR');

    expect(dataDir).toBe('/var/lib/lichen');
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === dataDir);
    expect(mount, 'a volume mounted at LICHEN_DATA_DIR').toBeDefined();
    expect(mount.readOnly).not.toBe(true);
    const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume).toEqual({ name: mount.name, emptyDir: expect.any(Object) });
  });

  it('configures the exporter through LICHEN_* variables pointing at the release', () => {
    const { container } = exporterPod(manifests);
    const env = envOf(container);

    expect(env.get('LICHEN_DEVICE_ID')).toEqual({ fieldRef: { fieldPath: 'spec.nodeName' } });
    expect(env.get('LICHEN_NATS_PASSWORD')).toEqual({
      secretKeyRef: { name: `${release}-nats-service-users`, key: 'health-exporter' },
    });
    expect(Object.fromEntries([...env].filter(([, value]) => typeof value === 'string'))).toEqual({
      LICHEN_NATS_URL: `nats://${release}-nats:4222`,
      LICHEN_NATS_USER: 'health-exporter',
      LICHEN_NATS_MONITOR_URL: `http://${release}-nats:8222`,
      LICHEN_REDIS_URL: `redis://${release}-redis:6379`,
      LICHEN_METRICS_HOST: '0.0.0.0',
      LICHEN_METRICS_PORT: '9100',
      LICHEN_LOG_LEVEL: 'info',
      LICHEN_DATA_DIR: '/var/lib/lichen',
      LICHEN_HEARTBEAT_INTERVAL: '30s',
      LICHEN_PROBE_TIMEOUT: '1s',
      LICHEN_PROC_ROOT: '/host/proc',
      LICHEN_SYS_ROOT: '/host/sys',
      LICHEN_ROOTFS: '/host/root',
    });
    // The URLs name Services this release renders.
    expect(find(manifests, 'Service', `${release}-nats`).spec.ports.map((p: { port: number }) => p.port)).toEqual([4222, 8222]);
    expect(find(manifests, 'Service', `${release}-redis`).spec.ports[0].port).toBe(6379);
  });

  it('gives the runtime host only variables it reads, with values it accepts', () => {
    const env = processEnv(manifests, exporterPod(manifests).container, 'press-7');
    // The exporter's own variables (services/health-exporter/src/config.ts); an e2e spec may not import a service.
    const exporterVariables = [
      'LICHEN_HEARTBEAT_INTERVAL',
      'LICHEN_PROBE_TIMEOUT',
      'LICHEN_PROC_ROOT',
      'LICHEN_SYS_ROOT',
      'LICHEN_ROOTFS',
    ];
    const read = new Set([...Object.keys(hostConfigShape).map((key) => environmentVariable(key)), ...exporterVariables]);

    expect(Object.keys(env).filter((name) => !read.has(name))).toEqual([]);
    expect(hostConfigProblems(env)).toEqual([]);
    expect(loadConfig(hostConfigShape, env)).toMatchObject({
      deviceId: 'press-7',
      natsUrl: `nats://${release}-nats:4222`,
      natsUser: 'health-exporter',
      natsMonitorUrl: `http://${release}-nats:8222`,
      redisUrl: `redis://${release}-redis:6379`,
      metricsHost: '0.0.0.0',
      metricsPort: 9100,
      logLevel: 'info',
      dataDir: '/var/lib/lichen',
    });
  });

  it('passes the node name as the device id as it is: a node name with a dot is refused at start (see the README)', () => {
    const env = processEnv(manifests, exporterPod(manifests).container, 'press-7.plant.local');
    expect(() => loadConfig(hostConfigShape, env)).toThrow(/LICHEN_DEVICE_ID: expected letters, digits, _ or -/);
  });

  it('exposes /metrics on port 9100 named metrics, with scrape annotations and a Service that lists not-ready pods', () => {
    const template = find(manifests, 'DaemonSet', `${release}-health-exporter`).spec.template;
    const [container] = template.spec.containers;

    expect(container.ports).toContainEqual(expect.objectContaining({ name: 'metrics', containerPort: 9100 }));
    expect(template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9100',
      'prometheus.io/path': '/metrics',
    });
    const service = find(manifests, 'Service', `${release}-health-exporter`);
    expect(service.spec.ports).toContainEqual(expect.objectContaining({ name: 'metrics', port: 9100, targetPort: 'metrics' }));
    // An exporter whose NATS is down is not ready, and still has to be scraped: that is when its metrics matter.
    expect(service.spec.publishNotReadyAddresses).toBe(true);
  });

  it('marks the exporter not ready on a failing /healthz, and restarts it only when /metrics stops answering', () => {
    const { container } = exporterPod(manifests);

    // /healthz answers 503 while NATS or Redis is down: readiness only, or a NATS restart would restart every exporter.
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
    expect(container.startupProbe).toBeUndefined();
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
    expect(container.resources).toEqual({ requests: { cpu: '20m', memory: '112Mi' }, limits: { memory: '192Mi' } });
  });

  it('runs NATS through run-nats.sh from the nats.conf of its ConfigMap, with JetStream on a PVC', () => {
    const { statefulSet, pod, nats } = natsPod(manifests);

    expect(nats.image).toBe('nats:2.12.6-alpine');
    expect(nats.args).toEqual(['sh', '/etc/nats/run-nats.sh', '--config', '/etc/nats/nats.conf']);
    expect(mountsOf(statefulSet, pod, nats)).toEqual({
      '/data': 'pvc data',
      '/etc/nats/nats.conf': `configMap ${release}-nats nats.conf (ro)`,
      '/etc/nats/run-nats.sh': `configMap ${release}-nats run-nats.sh (ro)`,
      '/etc/nats/users': 'pvc data users',
      '/var/log/nats': 'emptyDir nats-log',
      '/tmp': 'emptyDir nats-tmp',
    });
    expect(natsConf(manifests)).toContain('store_dir: "/data"');
    expect(statefulSet.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(statefulSet.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
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

  it('runs the router and the sync agent beside NATS, and no component manager', () => {
    expect(natsPod(manifests).lichen.args).toEqual(['run', 'router', 'sync-agent']);
    expect(manifests.filter((m) => m.kind === 'Deployment' || m.metadata.name.endsWith('-component-manager'))).toEqual([]);
    expect(envOf(natsPod(manifests).lichen).has('LICHEN_RUNTIMES')).toBe(false);
  });
});

describe('helm template with the component manager', () => {
  const pinned = [
    'componentManager.enabled=true',
    'componentManager.dockerSocket=/var/run/docker.sock',
    'componentManager.nodeSelector.kubernetes\\.io/hostname=press-7',
    'componentManager.dockerGroupId=998',
  ];

  /** The manager runs in the lichen container of the NATS pod: the process that writes NATS's users. */
  function managerPod(manifests: Manifest[]) {
    const { statefulSet, pod, lichen } = natsPod(manifests);
    return { statefulSet, pod, container: lichen };
  }

  /** The lichen container's mounts that every release has, whatever the manager does. */
  const busMounts = {
    '/var/lib/lichen': 'pvc data lichen',
    '/etc/nats/users': 'pvc data users',
    '/var/log/nats': 'emptyDir nats-log (ro)',
    '/etc/lichen/service-users': `secret ${release}-nats-service-users (ro)`,
  };

  it('runs the manager beside the router in the one NATS pod, from the one image, for process components only by default', () => {
    const manifests = render('componentManager.enabled=true');
    const { statefulSet, pod, container } = managerPod(manifests);

    // One pod, never two managers at once; and no Deployment of its own any more.
    expect(statefulSet.spec.replicas).toBe(1);
    expect(manifests.filter((m) => m.kind === 'Deployment')).toEqual([]);
    expect(container.image).toBe(`docker.io/lichen/lichen:${appVersion}`);
    expect(container.args).toEqual(['run', 'router', 'component-manager', 'sync-agent']);
    expect(envOf(container).get('LICHEN_RUNTIMES')).toBe('process');
    expect(envOf(container).has('LICHEN_DOCKER_SOCKET')).toBe(false);
    // Nothing from the node: process components live in the pod, on emptyDirs under a read-only root.
    expect(mountsOf(statefulSet, pod, container)).toEqual({
      ...busMounts,
      '/var/lib/lichen/components': 'emptyDir components',
      '/tmp': 'emptyDir tmp',
    });
    expect(pod.volumes).toContainEqual({ name: 'components', emptyDir: { sizeLimit: '1Gi' } });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
    expect(container.resources).toEqual({ requests: { cpu: '20m', memory: '128Mi' }, limits: { memory: '512Mi' } });
  });

  it('gives the manager a fixed device id and only variables the host and the manager read', () => {
    const manifests = render('componentManager.enabled=true');
    const { container } = managerPod(manifests);
    const env = processEnv(manifests, container, 'node-1');
    // The manager's own variables (services/component-manager/src/config.ts); an e2e spec may not import a service.
    const managerVariables = [
      'LICHEN_RUNTIMES',
      'LICHEN_DOCKER_SOCKET',
      'LICHEN_RECONCILE_INTERVAL',
      'LICHEN_RESTART_BACKOFF_BASE',
      'LICHEN_RESTART_BACKOFF_MAX',
      'LICHEN_RESTART_MAX_ERRORS',
    ];
    const read = new Set([...hostVariables, ...syncAgentVariables, ...managerVariables]);

    expect(Object.keys(env).filter((name) => !read.has(name))).toEqual([]);
    expect(hostConfigProblems(env)).toEqual([]);
    expect(env).toMatchObject({
      LICHEN_RECONCILE_INTERVAL: '5s',
      LICHEN_RESTART_BACKOFF_BASE: '10s',
      LICHEN_RESTART_BACKOFF_MAX: '5m',
      LICHEN_RESTART_MAX_ERRORS: '3',
    });
    // Its state in Redis is keyed by the device id: the release's, not the node's, so it follows the pod.
    expect(loadConfig(hostConfigShape, env)).toMatchObject({
      deviceId: release,
      natsUrl: 'nats://127.0.0.1:4222',
      redisUrl: `redis://${release}-redis:6379`,
      dataDir: '/var/lib/lichen',
    });
    const custom = managerPod(
      render(
        'componentManager.enabled=true',
        'componentManager.deviceId=press-7',
        'componentManager.config.restartBackoffBase=1s',
        'componentManager.extraEnv[0].name=LICHEN_COMPONENT_NATS_URL',
        'componentManager.extraEnv[0].value=nats://10.0.0.7:30422',
      ),
    ).container;
    expect(envOf(custom).get('LICHEN_DEVICE_ID')).toBe('press-7');
    expect(envOf(custom).get('LICHEN_RESTART_BACKOFF_BASE')).toBe('1s');
    expect(envOf(custom).get('LICHEN_COMPONENT_NATS_URL')).toBe('nats://10.0.0.7:30422');
  });

  it("mounts the node's Docker socket with dockerSocket, the pod pinned to its node, as NATS's user with the socket's group", () => {
    const { statefulSet, pod, container } = managerPod(render(...pinned, 'nats.nodeSelector.disk=ssd'));

    expect(mountsOf(statefulSet, pod, container)).toEqual({
      ...busMounts,
      '/var/lib/lichen/components': 'emptyDir components',
      '/tmp': 'emptyDir tmp',
      '/var/run/docker.sock': 'hostPath /var/run/docker.sock (Socket)',
    });
    expect(envOf(container).get('LICHEN_RUNTIMES')).toBe('docker,process');
    expect(envOf(container).get('LICHEN_DOCKER_SOCKET')).toBe('/var/run/docker.sock');
    // NATS and its data go with the manager: both selectors hold.
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'press-7', disk: 'ssd' });
    // Never root: NATS, as the same user, reads the users file the manager's process writes.
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, supplementalGroups: [998] });
    expect(container.securityContext.runAsUser).toBeUndefined();
    expect(container.securityContext.capabilities).toEqual({ drop: ['ALL'] });
  });

  it("moves the manager's pod settings to the NATS pod, added to NATS's own", () => {
    const { statefulSet, pod } = managerPod(
      render(
        'componentManager.enabled=true',
        'componentManager.podLabels.team=line-3',
        'componentManager.podAnnotations.owner=ops',
        'componentManager.tolerations[0].key=edge',
        'componentManager.tolerations[0].operator=Exists',
        'nats.tolerations[0].key=storage',
        'nats.tolerations[0].operator=Exists',
      ),
    );
    expect(statefulSet.spec.template.metadata.labels.team).toBe('line-3');
    expect(statefulSet.spec.template.metadata.annotations.owner).toBe('ops');
    expect(pod.tolerations).toEqual([
      { key: 'storage', operator: 'Exists' },
      { key: 'edge', operator: 'Exists' },
    ]);
    // Off, the manager's settings do not apply.
    expect(
      natsPod(render('componentManager.podLabels.team=line-3')).statefulSet.spec.template.metadata.labels.team,
    ).toBeUndefined();
  });

  it.each([
    {
      set: [
        'componentManager.enabled=true',
        'componentManager.dockerSocket=/var/run/docker.sock',
        'componentManager.dockerGroupId=998',
      ],
      message: /componentManager\.dockerSocket needs componentManager\.nodeSelector/,
    },
    {
      set: pinned.filter((pair) => !pair.startsWith('componentManager.dockerGroupId')),
      message: /componentManager\.dockerSocket needs componentManager\.dockerGroupId, the socket's group on the node/,
    },
    { set: ['componentManager.dockerSocket=docker.sock'], message: /componentManager\.dockerSocket: Does not match pattern/ },
    { set: ['componentManager.deviceId=press.7'], message: /componentManager\.deviceId: Does not match pattern/ },
    {
      set: ['componentManager.config.restartBackoffBase=soon'],
      message: /componentManager\.config\.restartBackoffBase: Does not match pattern/,
    },
    {
      set: ['componentManager.config.restartMaxErrors=0'],
      message: /componentManager\.config\.restartMaxErrors: Must be greater than or equal to 1/,
    },
    { set: ['componentManager.enabled=yes'], message: /componentManager\.enabled: Invalid type\. Expected: boolean/ },
  ])('rejects $set, naming the value', ({ set, message }) => {
    const result = helm('template', release, chartDir, ...set.flatMap((pair) => ['--set', pair]));
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});

describe('helm template with the sync agent', () => {
  const compose = parse(readFileSync(resolve(repoRoot, 'compose/docker-compose.yml'), 'utf8')) as {
    services: Record<string, { volumes: string[] }>;
  };

  /** The lichen container of the NATS pod, where the sync agent runs, with its mounts. */
  function agentPod(manifests: Manifest[]) {
    const { statefulSet, pod, lichen } = natsPod(manifests);
    return { statefulSet, pod, container: lichen, mounts: mountsOf(statefulSet, pod, lichen) };
  }

  /** The sync agent's settings as it loads them from the container's environment, and the host's. */
  function loaded(manifests: Manifest[]) {
    const env = processEnv(manifests, agentPod(manifests).container, 'node-1');
    return { env, agent: loadConfig(syncAgent.config, env), host: loadConfig(hostConfigShape, env) };
  }

  const linked = [
    'syncAgent.url=mqtts://a1b2c3-ats.iot.eu-west-1.amazonaws.com:8883',
    'syncAgent.thingName=press-7',
    'syncAgent.tls.existingSecret=press-7-iot',
  ];

  it('runs with no cloud by default: the agent loads no URL, so its link is disabled, and nothing of a certificate is mounted', () => {
    const manifests = render();
    const { container, mounts } = agentPod(manifests);
    const { env, agent } = loaded(manifests);

    expect(container.args).toEqual(['run', 'router', 'sync-agent']);
    // Only variables the host and the agent read, and none the agent would read a file from.
    expect(Object.keys(env).filter((name) => !hostVariables.includes(name) && !syncAgentVariables.includes(name))).toEqual([]);
    expect(Object.keys(env).filter((name) => /^LICHEN_CLOUD_(URL|THING_NAME|.*_FILE|USERNAME|PASSWORD)$/.test(name))).toEqual([]);
    expect(agent.cloudUrl).toBeUndefined();
    expect(agent.cloudThingName).toBeUndefined();
    expect(agent).toMatchObject({
      cloudProtocol: '5',
      cloudKeepalive: 60_000,
      cloudReconnectMin: 1_000,
      cloudReconnectMax: 60_000,
      cloudSessionExpiry: 3_600_000,
      cloudMaxInflight: 1_000,
      cloudSubscriptions: [],
      cloudShadows: [],
      cloudHeartbeatTopic: 'lichen/{thing}/heartbeat',
    });
    expect(Object.keys(mounts)).not.toContain('/etc/lichen/cloud');
    expect(agentPod(manifests).pod.volumes.filter((v: { secret?: object }) => v.secret)).toEqual([
      { name: 'service-users', secret: { secretName: `${release}-nats-service-users` } },
    ]);
  });

  it('bounds the spool as the host reads it, in JetStream on the NATS PVC', () => {
    const manifests = render();
    expect(loaded(manifests).host).toMatchObject({ spoolMaxBytes: 1024 ** 3, spoolMaxAge: 7 * 24 * 3_600_000 });
    const custom = loaded(render('spool.maxBytes=512MiB', 'spool.maxAge=24h')).host;
    expect(custom).toMatchObject({ spoolMaxBytes: 512 * 1024 ** 2, spoolMaxAge: 24 * 3_600_000 });
    // The spool is a JetStream stream with file storage: JetStream's store_dir is the nats container's PVC mount.
    const { statefulSet, pod, nats } = natsPod(manifests);
    const storeDir = /^\s*store_dir: "([^"]+)"$/m.exec(natsConf(manifests))?.[1];
    expect(storeDir).toBe('/data');
    expect(mountsOf(statefulSet, pod, nats)[storeDir!]).toBe('pvc data');
  });

  it("mounts the certificates' Secret read-only and points the agent's *_FILE variables at its files", () => {
    const manifests = render(...linked, 'syncAgent.protocol=3.1.1', 'syncAgent.subscriptions={factory/line-3/cmd/#,ota/+}');
    const { pod, container, mounts } = agentPod(manifests);
    const { agent } = loaded(manifests);

    expect(agent).toMatchObject({
      cloudUrl: 'mqtts://a1b2c3-ats.iot.eu-west-1.amazonaws.com:8883',
      cloudThingName: 'press-7',
      cloudProtocol: '3.1.1',
      cloudSubscriptions: ['factory/line-3/cmd/#', 'ota/+'],
      cloudCaFile: '/etc/lichen/cloud/ca.crt',
      cloudCertFile: '/etc/lichen/cloud/tls.crt',
      cloudKeyFile: '/etc/lichen/cloud/tls.key',
    });
    expect(mounts['/etc/lichen/cloud']).toBe('secret press-7-iot (ro)');
    const mount = container.volumeMounts.find((m: Mount) => m.mountPath === '/etc/lichen/cloud');
    expect(mount.subPath).toBeUndefined();
    // Each file the agent is told to read is a key of the Secret, projected at that path of the mount.
    const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.secret).toEqual({
      secretName: 'press-7-iot',
      defaultMode: 0o440,
      items: [
        { key: 'ca.crt', path: 'ca.crt' },
        { key: 'tls.crt', path: 'tls.crt' },
        { key: 'tls.key', path: 'tls.key' },
      ],
    });
    for (const file of [agent.cloudCaFile, agent.cloudCertFile, agent.cloudKeyFile]) {
      expect(volume.secret.items.map((item: { path: string }) => `${mount.mountPath}/${item.path}`)).toContain(file);
    }
    // The compose file mounts its certificates folder at the same place.
    expect(compose.services['lichen']!.volumes).toContainEqual(expect.stringMatching(/:\/etc\/lichen\/cloud:ro$/));
  });

  it('projects only the keys syncAgent.tls.keys names: no CA file for a public CA, no client certificate for a password', () => {
    const publicCa = render(...linked, 'syncAgent.tls.keys.ca=');
    expect(loaded(publicCa).agent.cloudCaFile).toBeUndefined();
    expect(loaded(publicCa).agent).toMatchObject({
      cloudCertFile: '/etc/lichen/cloud/tls.crt',
      cloudKeyFile: '/etc/lichen/cloud/tls.key',
    });
    expect(agentPod(publicCa).pod.volumes.find((v: { name: string }) => v.name === 'cloud-tls').secret.items).toEqual([
      { key: 'tls.crt', path: 'tls.crt' },
      { key: 'tls.key', path: 'tls.key' },
    ]);

    const password = render(
      'syncAgent.url=mqtts://broker.plant.local:8883',
      'syncAgent.username=press-7',
      'syncAgent.password.existingSecret=press-7-broker',
      'syncAgent.tls.existingSecret=plant-ca',
      'syncAgent.tls.keys.ca=root.pem',
      'syncAgent.tls.keys.cert=',
      'syncAgent.tls.keys.key=',
    );
    const { container, pod } = agentPod(password);
    const { agent } = loaded(password);
    expect(agent).toMatchObject({ cloudUsername: 'press-7', cloudCaFile: '/etc/lichen/cloud/ca.crt' });
    expect([agent.cloudCertFile, agent.cloudKeyFile]).toEqual([undefined, undefined]);
    expect(pod.volumes.find((v: { name: string }) => v.name === 'cloud-tls').secret.items).toEqual([
      { key: 'root.pem', path: 'ca.crt' },
    ]);
    expect(envOf(container).get('LICHEN_CLOUD_PASSWORD')).toEqual({ secretKeyRef: { name: 'press-7-broker', key: 'password' } });
  });

  it('passes every other setting through as the agent reads it', () => {
    const { agent } = loaded(
      render(
        'syncAgent.url=mqtt://broker.plant.local:1883',
        'syncAgent.keepalive=30s',
        'syncAgent.reconnectMin=500ms',
        'syncAgent.reconnectMax=5m',
        'syncAgent.sessionExpiry=24h',
        'syncAgent.maxInflight=64',
        'syncAgent.shadows={config,firmware}',
        'syncAgent.heartbeatTopic=plant/{thing}/alive',
      ),
    );
    expect(agent).toMatchObject({
      cloudUrl: 'mqtt://broker.plant.local:1883',
      cloudKeepalive: 30_000,
      cloudReconnectMin: 500,
      cloudReconnectMax: 300_000,
      cloudSessionExpiry: 86_400_000,
      cloudMaxInflight: 64,
      cloudShadows: ['config', 'firmware'],
      cloudHeartbeatTopic: 'plant/{thing}/alive',
    });
  });

  it('leaves the agent out with syncAgent.enabled=false: no cloud variables, no certificates, even when given', () => {
    const manifests = render('syncAgent.enabled=false', ...linked);
    const { container, mounts } = agentPod(manifests);
    expect(container.args).toEqual(['run', 'router']);
    expect([...envOf(container).keys()].filter((name) => name.startsWith('LICHEN_CLOUD_'))).toEqual([]);
    expect(Object.keys(mounts)).not.toContain('/etc/lichen/cloud');
    // The router still writes the spool: its bounds stay.
    expect(envOf(container).get('LICHEN_SPOOL_MAX_BYTES')).toBe('1GiB');
  });

  it.each([
    { set: ['syncAgent.enabled=yes'], message: /syncAgent\.enabled: Invalid type\. Expected: boolean/ },
    { set: ['syncAgent.url=https://iot.example.com'], message: /syncAgent\.url: Does not match pattern/ },
    { set: ['syncAgent.url=mqtts://press-7:secret@broker:8883'], message: /syncAgent\.url: Does not match pattern/ },
    { set: ['syncAgent.thingName=press 7'], message: /syncAgent\.thingName: Does not match pattern/ },
    { set: ['syncAgent.protocol=4'], message: /syncAgent\.protocol: Invalid type\. Expected: string, given: integer/ },
    { set: ['syncAgent.protocol=v5'], message: /syncAgent\.protocol: syncAgent\.protocol must be one of/ },
    { set: ['syncAgent.keepalive=soon'], message: /syncAgent\.keepalive: Does not match pattern/ },
    { set: ['syncAgent.maxInflight=0'], message: /syncAgent\.maxInflight: Must be greater than or equal to 1/ },
    // A comma would split one filter in two in LICHEN_CLOUD_SUBSCRIPTIONS (`\,` is --set's escaped comma).
    { set: ['syncAgent.subscriptions[0]=factory/a\\,b'], message: /syncAgent\.subscriptions\.0: Does not match pattern/ },
    { set: ['syncAgent.shadows={firmware.v2}'], message: /syncAgent\.shadows\.0: Does not match pattern/ },
    { set: ['syncAgent.tls.existingSecret=Press_7'], message: /syncAgent\.tls\.existingSecret: Does not match pattern/ },
    { set: ['syncAgent.tls.cert=tls.crt'], message: /Additional property cert is not allowed/ },
    { set: ['spool.maxBytes=lots'], message: /spool\.maxBytes: Does not match pattern/ },
    { set: ['spool.maxAge=7d'], message: /spool\.maxAge: Does not match pattern/ },
    {
      set: ['spool.maxBytes=2GiB'],
      message: /spool\.maxBytes \(2GiB, 2147483648 bytes\) must not be above nats\.jetstream\.maxFileStore \(1610612736 bytes\)/,
    },
    {
      set: [...linked, 'syncAgent.tls.keys.key='],
      message: /syncAgent\.tls\.keys\.cert and syncAgent\.tls\.keys\.key go together/,
    },
    {
      set: [...linked, 'syncAgent.tls.keys.ca=', 'syncAgent.tls.keys.cert=', 'syncAgent.tls.keys.key='],
      message: /syncAgent\.tls\.existingSecret is set but syncAgent\.tls\.keys names none of its keys/,
    },
    {
      set: ['syncAgent.url=mqtt://broker:1883', 'syncAgent.tls.existingSecret=press-7-iot'],
      message:
        /syncAgent\.tls\.existingSecret needs an mqtts:\/\/ syncAgent\.url: over mqtt:\/\/broker:1883 the certificates would go unused/,
    },
  ])('rejects $set, naming the value', ({ set, message }) => {
    const result = helm('template', release, chartDir, ...set.flatMap((pair) => ['--set', pair]));
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
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
      'config.probeTimeout=3s',
      'config.logLevel=debug',
      'nats.persistence.size=8Gi',
      'nats.persistence.storageClass=fast',
    );
    const { container } = exporterPod(manifests);
    expect(container.image).toBe('registry.local:5000/lichen/lichen:v9');
    expect(container.args).toEqual(['run', 'health-exporter']);
    expect(envOf(container).get('LICHEN_HEARTBEAT_INTERVAL')).toBe('10s');
    expect(envOf(container).get('LICHEN_PROBE_TIMEOUT')).toBe('3s');
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
    { set: 'config.probeTimeout=fast', message: /config\.probeTimeout: Does not match pattern/ },
    { set: 'nats.serverName=edge.7', message: /nats\.serverName: Does not match pattern/ },
    {
      set: 'nats.jetstream.maxFileStore=1.5Gi',
      message: /nats\.jetstream\.maxFileStore: Invalid type\. Expected: \[integer,null\]/,
    },
    { set: 'nats.jetstream.maxFileStore=1024', message: /nats\.jetstream\.maxFileStore: Must be greater than or equal to/ },
    {
      set: 'nats.jetstream.maxFileStore=2147483648',
      message: /nats\.jetstream\.maxFileStore \(2147483648 bytes\) must be below nats\.persistence\.size \(2Gi/,
    },
  ])('rejects $set, naming the value', ({ set, message }) => {
    const result = helm('template', release, chartDir, '--set', set);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});

describe('NATS configuration: one generated shape for npm start, compose and the chart', () => {
  const chartSettings = (serverName: string, clientPort: number, monitorPort: number, maxFileStoreBytes?: number) => ({
    serverName,
    client: { host: '0.0.0.0', port: clientPort },
    monitor: { host: '0.0.0.0', port: monitorPort },
    jetstream: { storeDir: '/data', maxFileStoreBytes },
    // The users file the lichen container writes, as in compose.
    includes: ['users/users.conf'],
  });

  it('renders the nats.conf natsServerConfig() writes, for the default values', () => {
    expect(natsConf(render())).toBe(natsServerConfig(chartSettings('lichen', 4222, 8222, 1610612736)));
  });

  it('renders the nats.conf natsServerConfig() writes, for values set by the user', () => {
    const manifests = render(
      'nats.serverName=press-7',
      'nats.clientPort=4333',
      'nats.monitorPort=8333',
      'nats.jetstream.maxFileStore=1073741824',
    );
    expect(natsConf(manifests)).toBe(natsServerConfig(chartSettings('press-7', 4333, 8333, 1024 ** 3)));
    // The Services and the containers follow the ports of the file.
    const { nats, lichen } = natsPod(manifests);
    expect(nats.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([4333, 8333]);
    expect(envOf(exporterPod(manifests).container).get('LICHEN_NATS_URL')).toBe(`nats://${release}-nats:4333`);
    expect(envOf(lichen).get('LICHEN_NATS_URL')).toBe('nats://127.0.0.1:4333');
    expect(envOf(lichen).get('LICHEN_NATS_MONITOR_URL')).toBe('http://127.0.0.1:8333');
    expect(nats.lifecycle.postStart.exec.command.join(' ')).toContain('http://127.0.0.1:8333/varz');
  });

  it('leaves max_file_store to nats-server when nats.jetstream.maxFileStore=null', () => {
    expect(natsConf(render('nats.jetstream.maxFileStore=null'))).toBe(natsServerConfig(chartSettings('lichen', 4222, 8222)));
  });

  it('rolls the NATS pod when its config changes, and only then', () => {
    const checksum = (...sets: string[]) =>
      find(render(...sets), 'StatefulSet', `${release}-nats`).spec.template.metadata.annotations['checksum/config'];

    expect(checksum()).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum('nats.serverName=press-7')).not.toBe(checksum());
    expect(checksum('config.logLevel=debug')).toBe(checksum());
  });

  it('appends nats.extraArgs after the config file, which they override', () => {
    const { nats } = natsPod(render('nats.extraArgs={--debug}'));
    expect(nats.args).toEqual(['sh', '/etc/nats/run-nats.sh', '--config', '/etc/nats/nats.conf', '--debug']);
  });

  it('keeps compose/nats/nats.conf equal to what natsServerConfig() writes for compose', () => {
    const composeConf = readFileSync(resolve(repoRoot, 'compose/nats/nats.conf'), 'utf8');
    expect(composeConf).toBe(
      natsServerConfig({
        serverName: 'lichen',
        client: { host: '0.0.0.0', port: 4222 },
        monitor: { host: '0.0.0.0', port: 8222 },
        jetstream: { storeDir: '/data' },
        includes: ['users/users.conf'],
      }),
    );
  });
});

describe('helm template: NATS with enforced users, as npm start and compose run it', () => {
  let manifests: Manifest[];
  const compose = parse(readFileSync(resolve(repoRoot, 'compose/docker-compose.yml'), 'utf8')) as {
    services: Record<string, { command: string[]; environment: Record<string, string> }>;
  };

  beforeAll(() => {
    manifests = render();
  });

  it('runs the lichen container beside NATS, writing its users file and reading its log, as compose does', () => {
    const { lichen } = natsPod(manifests);
    const env = processEnv(manifests, lichen, 'node-1');
    const composed = compose.services['lichen']!.environment;

    expect(env).toMatchObject({
      LICHEN_DEVICE_ID: release,
      LICHEN_NATS_URL: 'nats://127.0.0.1:4222',
      LICHEN_NATS_MONITOR_URL: 'http://127.0.0.1:8222',
      LICHEN_NATS_USERS_FILE: composed['LICHEN_NATS_USERS_FILE'],
      LICHEN_NATS_LOG_FILE: composed['LICHEN_NATS_LOG_FILE'],
      LICHEN_NATS_SERVICE_USERS_DIR: '/etc/lichen/service-users',
      LICHEN_REDIS_URL: `redis://${release}-redis:6379`,
    });
    // Lichen's own login to a NATS whose users it writes: none given, it makes its own.
    expect(env).not.toHaveProperty('LICHEN_NATS_USER');
    expect(hostConfigProblems(env)).toEqual([]);
    expect(loadConfig(hostConfigShape, env)).toMatchObject({
      natsUsersFile: '/etc/nats/users/users.conf',
      natsLogFile: '/var/log/nats/nats.log',
      natsServiceUsersDir: '/etc/lichen/service-users',
    });
  });

  it('includes the users file the lichen container writes, both containers seeing it in one folder on the PVC', () => {
    const { statefulSet, pod, nats, lichen } = natsPod(manifests);
    const usersFile = envOf(lichen).get('LICHEN_NATS_USERS_FILE') as string;

    // nats.conf is /etc/nats/nats.conf: its include names /etc/nats/users/users.conf.
    expect(natsConf(manifests)).toMatch(/^include "users\/users\.conf"$/m);
    expect(resolve('/etc/nats', 'users/users.conf')).toBe(usersFile);
    const natsMounts = mountsOf(statefulSet, pod, nats);
    const lichenMounts = mountsOf(statefulSet, pod, lichen);
    expect(natsMounts[dirname(usersFile)]).toBe('pvc data users');
    expect(lichenMounts[dirname(usersFile)]).toBe('pvc data users');
    // NATS's log: written by the nats container, read by the lichen container.
    const logFile = envOf(lichen).get('LICHEN_NATS_LOG_FILE') as string;
    expect(natsMounts[dirname(logFile)]).toBe('emptyDir nats-log');
    expect(lichenMounts[dirname(logFile)]).toBe('emptyDir nats-log (ro)');
    // Lichen's data (its users, their key, the operator's credentials) outlives the pod, as the users file does.
    expect(lichenMounts['/var/lib/lichen']).toBe('pvc data lichen');
  });

  it('runs both containers as one non-root user, so that NATS reads the users file Lichen writes 0600', () => {
    const { pod, nats, lichen } = natsPod(manifests);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(nats.securityContext.runAsUser).toBeUndefined();
    expect(lichen.securityContext.runAsUser).toBeUndefined();
    const result = helm('template', release, chartDir, '--set', 'nats.podSecurityContext.runAsUser=null');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      /nats\.podSecurityContext\.runAsUser is required: both containers of the NATS pod run as that user/,
    );
  });

  it('starts the lichen container once NATS answers, and keeps the pod ready on NATS alone', () => {
    const { pod, nats, lichen } = natsPod(manifests);
    expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(['nats', 'lichen']);
    expect(nats.lifecycle.postStart.exec.command.join(' ')).toContain('wget -q -T 2 -O /dev/null http://127.0.0.1:8222/varz');
    expect(lichen.readinessProbe).toBeUndefined();
    expect(lichen.livenessProbe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
  });

  it('runs nats-server through the run-nats.sh of compose, the same file, with the same arguments', () => {
    const composeScript = readFileSync(resolve(repoRoot, 'compose/nats/run-nats.sh'), 'utf8');
    expect(readFileSync(resolve(chartDir, 'files/run-nats.sh'), 'utf8')).toBe(composeScript);
    const configMap = find(manifests, 'ConfigMap', `${release}-nats`) as unknown as { data: Record<string, string> };
    expect(configMap.data['run-nats.sh']).toBe(composeScript);
    expect(natsPod(manifests).nats.args).toEqual(compose.services['nats']!.command);
  });

  it('gives the health exporters a service user, its password in a Secret that the lichen container reads', () => {
    const secretName = `${release}-nats-service-users`;
    const password = secretValue(manifests, secretName, 'health-exporter');
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    const exporterEnv = processEnv(manifests, exporterPod(manifests).container, 'node-1');
    expect(exporterEnv).toMatchObject({ LICHEN_NATS_USER: 'health-exporter', LICHEN_NATS_PASSWORD: password });
    const { pod, lichen } = natsPod(manifests);
    const mount = lichen.volumeMounts.find((m: Mount) => m.mountPath === envOf(lichen).get('LICHEN_NATS_SERVICE_USERS_DIR'));
    expect(pod.volumes).toContainEqual({ name: mount.name, secret: { secretName } });
    expect(mount.readOnly).toBe(true);
  });

  it("uses a Secret of the operator's with nats.serviceUsers.existingSecret, and makes none", () => {
    const manifests = render('nats.serviceUsers.existingSecret=plant-bus-users');
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    expect(envOf(exporterPod(manifests).container).get('LICHEN_NATS_PASSWORD')).toEqual({
      secretKeyRef: { name: 'plant-bus-users', key: 'health-exporter' },
    });
    expect(natsPod(manifests).pod.volumes).toContainEqual({ name: 'service-users', secret: { secretName: 'plant-bus-users' } });
  });

  it('opens no MQTT listener by default', () => {
    expect(natsConf(manifests)).not.toContain('mqtt');
    expect(manifests.filter((m) => m.metadata.name === `${release}-nats-mqtt`)).toEqual([]);
  });

  it("opens NATS's MQTT listener with nats.mqtt.enabled, in the generated shape, behind a Service of its own", () => {
    const manifests = render('nats.mqtt.enabled=true', 'nats.mqtt.serviceType=NodePort', 'nats.mqtt.nodePort=31883');
    expect(natsConf(manifests)).toBe(
      natsServerConfig({
        serverName: 'lichen',
        client: { host: '0.0.0.0', port: 4222 },
        monitor: { host: '0.0.0.0', port: 8222 },
        jetstream: { storeDir: '/data', maxFileStoreBytes: 1610612736 },
        mqtt: { host: '0.0.0.0', port: 1883 },
        includes: ['users/users.conf'],
      }),
    );
    expect(natsPod(manifests).nats.ports).toContainEqual({ name: 'mqtt', containerPort: 1883 });
    const service = find(manifests, 'Service', `${release}-nats-mqtt`);
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([{ name: 'mqtt', port: 1883, targetPort: 'mqtt', nodePort: 31883 }]);
    expect(service.spec.selector).toMatchObject({ 'app.kubernetes.io/component': 'nats' });
    const inCluster = find(render('nats.mqtt.enabled=true'), 'Service', `${release}-nats-mqtt`);
    expect(inCluster.spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'mqtt', port: 1883, targetPort: 'mqtt' }] });
  });

  it.each([
    { set: 'nats.mqtt.serviceType=External', message: /nats\.mqtt\.serviceType: nats\.mqtt\.serviceType must be one of/ },
    { set: 'nats.mqtt.nodePort=80', message: /nats\.mqtt\.nodePort: Must be greater than or equal to 30000/ },
    { set: 'nats.serviceUsers.existingSecret=Bad_Name', message: /nats\.serviceUsers\.existingSecret: Does not match pattern/ },
  ])('rejects $set, naming the value', ({ set, message }) => {
    const result = helm('template', release, chartDir, '--set', set);
    expect(result.status).not.toBe(0);
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
