import type { DeclaredTensor } from '../tensor/tensor-problems.js';
import type { TensorValue } from '../tensor/tensor-value.js';

/** A model loaded in a runtime, with its inputs and outputs as it declares them. */
export interface LoadedModel {
  readonly inputs: readonly DeclaredTensor[];
  readonly outputs: readonly DeclaredTensor[];
  /** Runs the model on inputs already checked against `inputs`; the outputs asked for (all when none are named). */
  run(inputs: readonly TensorValue[], outputs?: readonly string[]): Promise<TensorValue[]>;
  /** Frees the session; no run may be under way. */
  release(): Promise<void>;
}

export interface LoadOptions {
  /** Threads for one run (onnxruntime's intra-op threads); 1 suits small models best. */
  readonly threads: number;
}

/** Where models run (onnxruntime-node): from the bytes of a model file, already verified by their digest. */
export interface ModelRuntime {
  load(model: Uint8Array, options: LoadOptions): Promise<LoadedModel>;
}
