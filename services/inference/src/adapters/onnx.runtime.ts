import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { LichenError } from '@lichen/errors';
import type { LoadedModel, LoadOptions, ModelRuntime } from '../domain/model/model-runtime.js';
import { isElementTypeName, type ElementTypeName } from '../domain/tensor/element-type.js';
import type { DeclaredTensor } from '../domain/tensor/tensor-problems.js';
import type { TensorValue } from '../domain/tensor/tensor-value.js';

type Ort = typeof import('onnxruntime-node');
let loading: Promise<Ort> | undefined;

/** onnxruntime-node, imported when the first model loads (about 13 MB, and its native library at the first session). */
function loadOrt(): Promise<Ort> {
  return (loading ??= import('onnxruntime-node').then((module) =>
    'InferenceSession' in module ? module : (module as unknown as { default: Ort }).default,
  ));
}

/** onnxruntime-node on the CPU: the only file that imports it. */
export class OnnxRuntime implements ModelRuntime {
  async load(model: Uint8Array, options: LoadOptions): Promise<LoadedModel> {
    const ort = await loadOrt();
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(model, {
        executionProviders: ['cpu'],
        intraOpNumThreads: options.threads,
        interOpNumThreads: 1,
        // Warnings would go to stderr in colour, outside the log.
        logSeverityLevel: 3,
      });
    } catch (error) {
      throw new LichenError(
        'MODEL_UNLOADABLE',
        'invalid-argument',
        `onnxruntime cannot load the model: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return new OnnxModel(ort, session);
  }
}

class OnnxModel implements LoadedModel {
  readonly inputs: readonly DeclaredTensor[];
  readonly outputs: readonly DeclaredTensor[];

  constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
  ) {
    this.inputs = declared(session.inputMetadata);
    this.outputs = declared(session.outputMetadata);
  }

  async run(inputs: readonly TensorValue[], outputs?: readonly string[]): Promise<TensorValue[]> {
    const feeds: Record<string, OrtTensor> = {};
    for (const input of inputs) feeds[input.name] = new this.ort.Tensor(input.type, input.data as never, [...input.dims]);
    const wanted = outputs?.length ? [...outputs] : this.outputs.map((output) => output.name);
    const results = await this.session.run(feeds, wanted);
    return wanted.map((name) => {
      const result = results[name]!;
      return { name, type: result.type as ElementTypeName, dims: [...result.dims], data: result.data } as TensorValue;
    });
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** The session's metadata as declared tensors: a symbolic dimension by its name, an unnamed one undefined. */
function declared(metadata: readonly InferenceSession.ValueMetadata[]): DeclaredTensor[] {
  return metadata.flatMap((value) => {
    if (!value.isTensor || !isElementTypeName(value.type)) return [];
    const dims = value.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : dim === '' ? undefined : String(dim)));
    return [{ name: value.name, type: value.type, dims }];
  });
}
