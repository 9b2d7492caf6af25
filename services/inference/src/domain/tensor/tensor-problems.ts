import type { Violation } from '@lichen/errors';
import type { ElementTypeName, TensorData } from './element-type.js';
import { counted, formatShape, tensorPath } from './tensor-path.js';
import { elementCount, readTensorMessage, type TensorHeader, type TensorMessage, type TensorValue } from './tensor-value.js';

/**
 * An input or output as the model declares it (onnxruntime's `inputMetadata`). A dimension is a size, or
 * symbolic: a name (`batch`, `N`), which any size fills but which stands for one size throughout a request, or
 * undefined (no name, any size). A negative size, as some exporters write for "unknown", counts as undefined.
 */
export interface DeclaredTensor {
  readonly name: string;
  readonly type: ElementTypeName;
  readonly dims: readonly (number | string | undefined)[];
}

/** A tensor given in a request, as far as it could be read (`TensorValue` is one). */
export type GivenTensor = TensorHeader & { readonly data?: TensorData };

export type InputsReading =
  { readonly ok: true; readonly inputs: TensorValue[] } | { readonly ok: false; readonly violations: Violation[] };

/**
 * Reads a request's tensors and checks them against the model's declared inputs, reporting every problem at
 * once: what a tensor gets wrong by itself (see `readTensorMessage`) and what it gets wrong for this model (see
 * `inputProblems`), each under its path (`inputs.image.shape[1]`).
 */
export function readInputs(messages: readonly TensorMessage[], declared: readonly DeclaredTensor[]): InputsReading {
  const violations: Violation[] = [];
  const given: GivenTensor[] = [];
  const inputs: TensorValue[] = [];
  for (const message of messages) {
    const reading = readTensorMessage(message, tensorPath('inputs', message.name));
    if (reading.ok) {
      given.push(reading.tensor);
      inputs.push(reading.tensor);
    } else {
      given.push(reading.header);
      violations.push(...reading.violations);
    }
  }
  violations.push(...inputProblems(given, declared));
  return violations.length === 0 ? { ok: true, inputs } : { ok: false, violations };
}

/**
 * What is wrong with a request's inputs for a model that declares `declared`: an input given twice, one the model
 * does not have (naming those it has), a wrong element type, a wrong rank or a fixed dimension of another size
 * (with the declared shape, symbols included, and the given one), a symbolic dimension given different sizes in
 * one request, elements that do not fill the shape, and inputs left out. Problems come in the order the inputs
 * were given, the missing inputs last; a header without a type or shape is checked for what it has.
 */
export function inputProblems(given: readonly GivenTensor[], declared: readonly DeclaredTensor[]): Violation[] {
  const violations: Violation[] = [];
  const report = (path: string, reason: string) => violations.push({ path, reason });
  const byName = new Map(declared.map((input) => [input.name, input]));
  const seen = new Set<string>();
  const symbols = new Map<string, { size: number; path: string }>();

  for (const tensor of given) {
    const path = tensorPath('inputs', tensor.name);
    if (seen.has(tensor.name)) {
      report(path, 'given more than once');
      continue;
    }
    seen.add(tensor.name);
    const expected = byName.get(tensor.name);
    if (expected === undefined) {
      const names = declared.map((input) => input.name).join(', ');
      report(path, `the model has no input "${tensor.name}"; its inputs are ${names === '' ? 'none' : names}`);
      continue;
    }
    if (tensor.type !== undefined && tensor.type !== expected.type)
      report(`${path}.elementType`, `expected ${expected.type}, got ${tensor.type}`);
    if (tensor.dims === undefined) continue;
    const dims = tensor.dims;
    const shapes = `shape ${formatShape(expected.dims)}, given ${formatShape(dims)}`;
    if (dims.length !== expected.dims.length) {
      report(`${path}.shape`, `expected ${counted(expected.dims.length, 'dimension')}, got ${dims.length} (${shapes})`);
    } else {
      expected.dims.forEach((dim, index) => {
        const size = dims[index] as number;
        const at = `${path}.shape[${index}]`;
        if (typeof dim === 'number' && dim >= 0 && dim !== size) report(at, `expected ${dim}, got ${size} (${shapes})`);
        if (typeof dim !== 'string') return;
        const bound = symbols.get(dim);
        if (bound === undefined) symbols.set(dim, { size, path: at });
        else if (bound.size !== size)
          report(at, `${dim} is ${bound.size} in ${bound.path} but ${size} here: one request gives it one size (${shapes})`);
      });
    }
    if (tensor.data !== undefined && tensor.data.length !== elementCount(dims)) {
      report(
        `${path}.${tensor.type === 'string' ? 'strings' : 'data'}`,
        `holds ${counted(tensor.data.length, 'element')}; shape ${formatShape(dims)} needs ${elementCount(dims)}`,
      );
    }
  }
  for (const input of declared) {
    if (!seen.has(input.name))
      report(tensorPath('inputs', input.name), `missing: the model needs ${input.type} of shape ${formatShape(input.dims)}`);
  }
  return violations;
}
