import { create } from '@bufbuild/protobuf';
import { TensorElementType, TensorSchema } from '@lichen/contracts';
import { describe, expect, it } from 'vitest';
import { tensorFromJson } from './json-tensor.js';
import { inputProblems, readInputs, type DeclaredTensor, type GivenTensor } from './tensor-problems.js';
import { tensorToMessage, type TensorValue } from './tensor-value.js';

/** An image classifier with a mask: `batch` is shared by both inputs. */
const declared: DeclaredTensor[] = [
  { name: 'image', type: 'float32', dims: ['batch', 3, 4, 4] },
  { name: 'mask', type: 'bool', dims: ['batch', undefined] },
  { name: 'input.1', type: 'int64', dims: [] },
];

function given(name: string, type: TensorValue['type'], dims: number[]): TensorValue {
  const length = dims.reduce((count, dim) => count * dim, 1);
  return { name, type, dims, data: type === 'string' ? new Array(length).fill('') : new (arrayOf(type))(length) } as TensorValue;
}

function arrayOf(type: string) {
  return ({ float32: Float32Array, bool: Uint8Array, int64: BigInt64Array, int32: Int32Array } as const)[type as 'float32'];
}

function problems(tensors: GivenTensor[], model: DeclaredTensor[] = declared): string[] {
  return inputProblems(tensors, model).map((v) => `${v.path}: ${v.reason}`);
}

const valid = () => [given('image', 'float32', [2, 3, 4, 4]), given('mask', 'bool', [2, 7]), given('input.1', 'int64', [])];

describe('a request’s inputs against the model’s', () => {
  it('finds nothing wrong with inputs that fit, symbolic dimensions filled with any size', () => {
    expect(problems(valid())).toEqual([]);
    expect(
      problems([given('image', 'float32', [5, 3, 4, 4]), given('mask', 'bool', [5, 0]), given('input.1', 'int64', [])]),
    ).toEqual([]);
  });

  it('names an input the model does not have, and the inputs it has', () => {
    expect(problems([...valid(), given('imagee', 'float32', [1])])).toEqual([
      'inputs.imagee: the model has no input "imagee"; its inputs are image, mask, input.1',
    ]);
    expect(problems([given('x', 'float32', [1])], [])).toEqual(['inputs.x: the model has no input "x"; its inputs are none']);
  });

  it('names a missing input with the type and shape it needs', () => {
    expect(problems(valid().slice(1))).toEqual(['inputs.image: missing: the model needs float32 of shape [batch, 3, 4, 4]']);
    expect(problems([valid()[0]!])).toEqual([
      'inputs.mask: missing: the model needs bool of shape [batch, ?]',
      'inputs["input.1"]: missing: the model needs int64 of shape []',
    ]);
  });

  it('refuses an input given twice', () => {
    expect(problems([...valid(), given('mask', 'bool', [2, 7])])).toEqual(['inputs.mask: given more than once']);
  });

  it('says the expected and the given element type', () => {
    const [, mask, scalar] = valid();
    expect(problems([given('image', 'int32', [2, 3, 4, 4]), mask!, scalar!])).toEqual([
      'inputs.image.elementType: expected float32, got int32',
    ]);
  });

  it('says the expected shape with its symbols and the given one for a wrong rank or a fixed size', () => {
    const [, mask, scalar] = valid();
    expect(problems([given('image', 'float32', [3, 4, 4]), mask!, scalar!])).toEqual([
      'inputs.image.shape: expected 4 dimensions, got 3 (shape [batch, 3, 4, 4], given [3, 4, 4])',
    ]);
    expect(problems([given('image', 'float32', [2, 4, 4, 5]), mask!, scalar!])).toEqual([
      'inputs.image.shape[1]: expected 3, got 4 (shape [batch, 3, 4, 4], given [2, 4, 4, 5])',
      'inputs.image.shape[3]: expected 4, got 5 (shape [batch, 3, 4, 4], given [2, 4, 4, 5])',
    ]);
    expect(problems([valid()[0]!, mask!, given('input.1', 'int64', [1])])).toEqual([
      'inputs["input.1"].shape: expected 0 dimensions, got 1 (shape [], given [1])',
    ]);
  });

  it('refuses a symbolic dimension given two sizes in one request, naming where it was first', () => {
    const [image, , scalar] = valid();
    expect(problems([image!, given('mask', 'bool', [3, 7]), scalar!])).toEqual([
      'inputs.mask.shape[0]: batch is 2 in inputs.image.shape[0] but 3 here: one request gives it one size (shape [batch, ?], given [3, 7])',
    ]);
    // A dimension without a name is free in every input.
    const free: DeclaredTensor[] = [
      { name: 'a', type: 'float32', dims: [undefined, -1] },
      { name: 'b', type: 'float32', dims: [undefined] },
    ];
    expect(problems([given('a', 'float32', [1, 2]), given('b', 'float32', [5])], free)).toEqual([]);
  });

  it('refuses elements that do not fill the shape', () => {
    const [, mask, scalar] = valid();
    const short = { name: 'image', type: 'float32', dims: [2, 3, 4, 4], data: new Float32Array(95) } as TensorValue;
    expect(problems([short, mask!, scalar!])).toEqual(['inputs.image.data: holds 95 elements; shape [2, 3, 4, 4] needs 96']);
    const words = [{ name: 'words', type: 'string', dims: [2], data: ['a'] } as TensorValue];
    expect(problems(words, [{ name: 'words', type: 'string', dims: ['n'] }])).toEqual([
      'inputs.words.strings: holds 1 element; shape [2] needs 2',
    ]);
  });

  it('lists every problem at once, in the order the inputs came, missing inputs last', () => {
    // mask's rank is wrong, so its dimensions say nothing of batch.
    expect(
      problems([given('mask', 'int32', [3, 1, 1]), given('image', 'float32', [2, 1, 4, 4]), given('extra', 'float32', [])]),
    ).toEqual([
      'inputs.mask.elementType: expected bool, got int32',
      'inputs.mask.shape: expected 2 dimensions, got 3 (shape [batch, ?], given [3, 1, 1])',
      'inputs.image.shape[1]: expected 3, got 1 (shape [batch, 3, 4, 4], given [2, 1, 4, 4])',
      'inputs.extra: the model has no input "extra"; its inputs are image, mask, input.1',
      'inputs["input.1"]: missing: the model needs int64 of shape []',
    ]);
  });
});

describe('reading a request’s inputs', () => {
  it('gives the tensors when everything fits', () => {
    const reading = readInputs(valid().map(tensorToMessage), declared);
    expect(reading).toEqual({ ok: true, inputs: valid() });
  });

  it('reports what a message gets wrong by itself together with what it gets wrong for the model', () => {
    const image = create(TensorSchema, {
      name: 'image',
      elementType: TensorElementType.INT32,
      shape: [2n, 3n, 4n, 4n],
      data: new Uint8Array(5),
    });
    const mask = create(TensorSchema, { name: 'mask', elementType: TensorElementType.UNSPECIFIED, shape: [3n, 1n] });
    const reading = readInputs([image, mask], declared);
    expect(reading.ok ? [] : reading.violations.map((v) => `${v.path}: ${v.reason}`)).toEqual([
      'inputs.image.data: holds 5 bytes; int32 of shape [2, 3, 4, 4] needs 384 (96 elements of 4 bytes)',
      'inputs.mask.elementType: no element type given (TENSOR_ELEMENT_TYPE_UNSPECIFIED)',
      'inputs.image.elementType: expected float32, got int32',
      'inputs.mask.shape[0]: batch is 2 in inputs.image.shape[0] but 3 here: one request gives it one size (shape [batch, ?], given [3, 1])',
      'inputs["input.1"]: missing: the model needs int64 of shape []',
    ]);
  });

  it('reads inputs made from the JSON form', () => {
    const image = tensorFromJson('image', 'float32', [
      Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => [0, 1, 2, 3])),
    ]);
    const mask = tensorFromJson('mask', 'bool', [[true, false]]);
    const scalar = tensorFromJson('input.1', 'int64', '9007199254740993');
    expect(readInputs([image, mask, scalar].map(tensorToMessage), declared)).toEqual({ ok: true, inputs: [image, mask, scalar] });
  });
});
