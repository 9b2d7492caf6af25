import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { environmentVariable, loadConfig } from '@lichen/config';
import { hostConfigShape, natsServerConfig } from '@lichen/host';

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

/** The exporter's container and pod spec, as the DaemonSet renders them. */
function exporterPod(manifests: Manifest[]) {
  const pod = find(manifests, 'DaemonSet', `${release}-health-exporter`).spec.template.spec;
  return { pod, container: pod.containers[0] };
}

/** The environment the exporter process would see on a node, with the downward API filled in as the kubelet does. */
function processEnv(container: { env: { name: string; value?: string }[] }, nodeName: string): Record<string, string> {
  return Object.fromEntries(container.env.map((e) => [e.name, e.value ?? (e.name === 'LICHEN_DEVICE_ID' ? nodeName : '')]));
}

/** The nats.conf the chart's NATS runs from. */
function natsConf(manifests: Manifest[]): string {
  return (find(manifests, 'ConfigMap', `${release}-nats`) as unknown as { data: Record<string, string> }).data['nats.conf'] ?? '';
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
    expect(Object.fromEntries([...env].filter(([, value]) => typeof value === 'string'))).toEqual({
      LICHEN_NATS_URL: `nats://${release}-nats:4222`,
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
    const env = processEnv(exporterPod(manifests).container, 'press-7');
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
    expect(loadConfig(hostConfigShape, env)).toMatchObject({
      deviceId: 'press-7',
      natsUrl: `nats://${release}-nats:4222`,
      natsMonitorUrl: `http://${release}-nats:8222`,
      redisUrl: `redis://${release}-redis:6379`,
      metricsHost: '0.0.0.0',
      metricsPort: 9100,
      logLevel: 'info',
      dataDir: '/var/lib/lichen',
    });
  });

  it('passes the node name as the device id as it is: a node name with a dot is refused at start (see the README)', () => {
    const env = processEnv(exporterPod(manifests).container, 'press-7.plant.local');
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

  it('runs NATS from the nats.conf of its ConfigMap, with JetStream on a PVC', () => {
    const nats = find(manifests, 'StatefulSet', `${release}-nats`);
    const pod = nats.spec.template.spec;
    const [container] = pod.containers;

    expect(container.image).toBe('nats:2.12.6-alpine');
    expect(container.args).toEqual(['nats-server', '--config', '/etc/nats/nats.conf']);
    const configMount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/etc/nats');
    expect(configMount.readOnly).toBe(true);
    expect(pod.volumes).toContainEqual({ name: configMount.name, configMap: { name: `${release}-nats` } });
    expect(natsConf(manifests)).toContain('store_dir: "/data"');
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

  it('renders no component manager', () => {
    expect(manifests.filter((m) => m.metadata.name.endsWith('-component-manager'))).toEqual([]);
  });
});

describe('helm template with the component manager', () => {
  const managerName = `${release}-component-manager`;
  const pinned = [
    'componentManager.enabled=true',
    'componentManager.dockerSocket=/var/run/docker.sock',
    'componentManager.nodeSelector.kubernetes\\.io/hostname=press-7',
  ];

  function managerPod(manifests: Manifest[]) {
    const deployment = find(manifests, 'Deployment', managerName);
    const pod = deployment.spec.template.spec;
    return { deployment, pod, container: pod.containers[0] };
  }

  /** Where each of the container's mounts comes from: a hostPath, an emptyDir. */
  function mountsOf(pod: { volumes: { name: string }[] }, container: { volumeMounts: { name: string; mountPath: string }[] }) {
    const volumes = new Map(
      pod.volumes.map((v) => [v.name, v as { hostPath?: { path: string; type: string }; emptyDir?: object }]),
    );
    return Object.fromEntries(
      container.volumeMounts.map((m) => {
        const volume = volumes.get(m.name);
        return [
          m.mountPath,
          volume?.hostPath ? `hostPath ${volume.hostPath.path} (${volume.hostPath.type})` : volume?.emptyDir ? 'emptyDir' : '?',
        ];
      }),
    );
  }

  it('runs one manager pod, replaced and never doubled, from the one image, for process components only by default', () => {
    const { deployment, pod, container } = managerPod(render('componentManager.enabled=true'));

    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(container.image).toBe(`docker.io/lichen/lichen:${appVersion}`);
    expect(container.args).toEqual(['run', 'component-manager']);
    expect(envOf(container).get('LICHEN_RUNTIMES')).toBe('process');
    expect(envOf(container).has('LICHEN_DOCKER_SOCKET')).toBe(false);
    // Nothing from the node: the process components live in the pod, on emptyDirs under a read-only root.
    expect(mountsOf(pod, container)).toEqual({ '/var/lib/lichen': 'emptyDir', '/tmp': 'emptyDir' });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
  });

  it('gives the manager a fixed device id and only variables the host and the manager read', () => {
    const { container } = managerPod(render('componentManager.enabled=true'));
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    // The manager's own variables (services/component-manager/src/config.ts); an e2e spec may not import a service.
    const managerVariables = [
      'LICHEN_RUNTIMES',
      'LICHEN_DOCKER_SOCKET',
      'LICHEN_RECONCILE_INTERVAL',
      'LICHEN_RESTART_BACKOFF_BASE',
      'LICHEN_RESTART_BACKOFF_MAX',
      'LICHEN_RESTART_MAX_ERRORS',
    ];
    const read = new Set([...Object.keys(hostConfigShape).map((key) => environmentVariable(key)), ...managerVariables]);

    expect(Object.keys(env).filter((name) => !read.has(name))).toEqual([]);
    expect(env).toMatchObject({
      LICHEN_RECONCILE_INTERVAL: '5s',
      LICHEN_RESTART_BACKOFF_BASE: '10s',
      LICHEN_RESTART_BACKOFF_MAX: '5m',
      LICHEN_RESTART_MAX_ERRORS: '3',
    });
    // Its state in Redis is keyed by the device id: the release's, not the node's, so it follows the pod.
    expect(loadConfig(hostConfigShape, env)).toMatchObject({
      deviceId: release,
      natsUrl: `nats://${release}-nats:4222`,
      redisUrl: `redis://${release}-redis:6379`,
      dataDir: '/var/lib/lichen',
    });
    const custom = managerPod(
      render(
        'componentManager.enabled=true',
        'componentManager.deviceId=press-7',
        'componentManager.config.restartBackoffBase=1s',
      ),
    ).container;
    expect(envOf(custom).get('LICHEN_DEVICE_ID')).toBe('press-7');
    expect(envOf(custom).get('LICHEN_RESTART_BACKOFF_BASE')).toBe('1s');
  });

  it("mounts the node's Docker socket with dockerSocket, pinned to its node, as root by default", () => {
    const { pod, container } = managerPod(render(...pinned));

    expect(mountsOf(pod, container)).toEqual({
      '/var/lib/lichen': 'emptyDir',
      '/tmp': 'emptyDir',
      '/var/run/docker.sock': 'hostPath /var/run/docker.sock (Socket)',
    });
    expect(envOf(container).get('LICHEN_RUNTIMES')).toBe('docker,process');
    expect(envOf(container).get('LICHEN_DOCKER_SOCKET')).toBe('/var/run/docker.sock');
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'press-7' });
    expect(pod.securityContext).toMatchObject({ runAsUser: 0 });
    expect(container.securityContext.capabilities).toEqual({ drop: ['ALL'] });
  });

  it("runs the manager unprivileged with the socket's group when dockerGroupId is given", () => {
    const { pod } = managerPod(render(...pinned, 'componentManager.dockerGroupId=998'));
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, supplementalGroups: [998] });
  });

  it.each([
    {
      set: ['componentManager.enabled=true', 'componentManager.dockerSocket=/var/run/docker.sock'],
      message: /componentManager\.dockerSocket needs componentManager\.nodeSelector/,
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
    // The Services and the container follow the ports of the file.
    const [container] = find(manifests, 'StatefulSet', `${release}-nats`).spec.template.spec.containers;
    expect(container.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([4333, 8333]);
    expect(envOf(exporterPod(manifests).container).get('LICHEN_NATS_URL')).toBe(`nats://${release}-nats:4333`);
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
    const [container] = find(render('nats.extraArgs={--debug}'), 'StatefulSet', `${release}-nats`).spec.template.spec.containers;
    expect(container.args).toEqual(['nats-server', '--config', '/etc/nats/nats.conf', '--debug']);
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
