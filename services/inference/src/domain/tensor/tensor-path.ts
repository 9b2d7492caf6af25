/**
 * Where a tensor is in a request or reply, for problems: `inputs.image`, `inputs.image.shape[1]`. ONNX names often
 * hold dots or colons (PyTorch exports `input.1`, TensorFlow `x:0`), which would make a dotted path ambiguous, so
 * such a name is quoted: `inputs["input.1"].shape[0]`. Without a section the path starts with the name itself.
 */
export function tensorPath(section: string, name: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name);
  if (section === '') return plain ? name : `[${JSON.stringify(name)}]`;
  return plain ? `${section}.${name}` : `${section}[${JSON.stringify(name)}]`;
}

/**
 * A shape as people write it: `[batch, 3, 224, 224]`, `[]` for a scalar, `?` for a dimension with no name (or a
 * negative size, which some exporters write for one).
 */
export function formatShape(dims: readonly (number | bigint | string | undefined)[]): string {
  return `[${dims.map((dim) => (dim === undefined || (typeof dim !== 'string' && dim < 0) ? '?' : String(dim))).join(', ')}]`;
}

/** `1 byte`, `24 bytes`: counts in problems read as sentences. */
export function counted(count: number | bigint, noun: string): string {
  return `${count} ${noun}${count === 1 || count === 1n ? '' : 's'}`;
}
