import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tensorFromJson, tensorToJson } from '../domain/tensor/json-tensor.js';
import { OnnxRuntime } from './onnx.runtime.js';

const shipped = fileURLToPath(new URL('../../../../scripts/models/bearing-anomaly.onnx', import.meta.url));

describe('OnnxRuntime', () => {
  it('loads the shipped model, says its inputs and outputs, and scores a normal and a faulty reading', async () => {
    const model = await new OnnxRuntime().load(await readFile(shipped), { threads: 1 });
    try {
      expect(model.inputs).toEqual([{ name: 'features', type: 'float32', dims: ['batch', 4] }]);
      expect(model.outputs).toEqual([
        { name: 'score', type: 'float32', dims: ['batch', 1] },
        { name: 'anomaly', type: 'bool', dims: ['batch'] },
      ]);
      const features = tensorFromJson('features', 'float32', [
        [0.27, 0.706, 2.611, 2.068],
        [0.278, 1.026, 3.689, 2.298],
      ]);
      const [score, anomaly] = await model.run([features]);
      const scores = tensorToJson(score!) as number[][];
      expect(scores[0]![0]).toBeCloseTo(0.394, 2);
      expect(scores[1]![0]).toBeCloseTo(20.64, 1);
      expect(tensorToJson(anomaly!)).toEqual([false, true]);

      const [onlyAnomaly] = await model.run([features], ['anomaly']);
      expect(onlyAnomaly?.name).toBe('anomaly');
    } finally {
      await model.release();
    }
  });

  it('refuses bytes that are not a model, saying onnxruntime cannot load them', async () => {
    await expect(new OnnxRuntime().load(new TextEncoder().encode('not a model'), { threads: 1 })).rejects.toMatchObject({
      code: 'MODEL_UNLOADABLE',
      kind: 'invalid-argument',
      message: expect.stringMatching(/^onnxruntime cannot load the model: /),
    });
  });
});
