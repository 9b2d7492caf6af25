/** The final phases of a Lichen deployment (see `DeploymentPhase` in deploy.proto). */
export type FinalDeploymentPhase = 'SUCCEEDED' | 'FAILED' | 'FAILED_ROLLED_BACK' | 'CANCELED' | 'SUPERSEDED';

/** How a deployment ended. */
export interface DeploymentOutcome {
  readonly id: string;
  readonly phase: FinalDeploymentPhase;
  /** Why it did not succeed (the deployment's reason, else its components'); empty when it succeeded. */
  readonly reason: string;
}

/** One problem of a refused document: where (a path such as `components.pump.image`) and why. */
export interface DocumentProblem {
  readonly path: string;
  readonly reason: string;
}

/** The component manager will not run the document: it is not a valid deployment. Sending it again cannot help. */
export class DeploymentRefusedError extends Error {
  constructor(
    message: string,
    readonly problems: readonly DocumentProblem[],
  ) {
    super(message);
    this.name = 'DeploymentRefusedError';
  }
}

/** The component manager did not answer (not running yet, the bus down): the same request may work later. */
export class DeploymentsUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeploymentsUnavailableError';
  }
}

/** The device's deployments, as the jobs agent uses them: the component manager behind `lichen.deploy.*`. */
export interface Deployments {
  /**
   * Queues the deployment a document (YAML or JSON text) describes. Rejects with `DeploymentRefusedError` when
   * the document is not valid, `DeploymentsUnavailableError` when the component manager cannot be reached.
   */
  apply(document: string): Promise<{ readonly id: string }>;
  /** Resolves once the deployment is in a final phase; rejects when it cannot be followed, or when `signal` aborts. */
  waitUntilFinal(id: string, signal: AbortSignal): Promise<DeploymentOutcome>;
}
