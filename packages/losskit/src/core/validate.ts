import { tf, type Tensor } from '../tf.ts';

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Throws unless `x` is a tf.Tensor; `arg` names the argument in the message. */
export function assertTensor(owner: string, arg: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof tf.Tensor)) {
    const got = x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
    throw new Error(`${owner}: ${arg} must be a tf.Tensor, got ${got}`);
  }
  if (x.isDisposed) throw new Error(`${owner}: ${arg} has been disposed`);
  if (x.dtype === 'string' || x.dtype === 'complex64')
    throw new Error(
      `${owner}: ${arg} must be a numeric tensor (float32, int32 or bool), got dtype ${x.dtype}`,
    );
}

/** Throws unless both tensors have exactly the same shape: nothing broadcasts silently. */
export function assertSameShape(owner: string, yTrue: Tensor, yPred: Tensor, note = ''): void {
  const a = yTrue.shape;
  const b = yPred.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new Error(
      `${owner}: yTrue shape ${shapeText(a)} does not match yPred shape ${shapeText(b)}${note}`,
    );
  }
}

/** Throws unless `x.rank` is at least `min`. */
export function assertMinRank(owner: string, arg: string, x: Tensor, min: number, layout = ''): void {
  if (x.rank < min) {
    throw new Error(
      `${owner}: ${arg} must have rank ≥ ${min}${layout ? ` (${layout})` : ''}, got shape ${shapeText(x.shape)}`,
    );
  }
}

/** Resolves a possibly negative `axis` against `rank`, or throws naming the option. */
export function resolveAxis(owner: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    throw new Error(`${owner}: option 'axis' is ${axis}, out of range for a tensor of rank ${rank}`);
  return a;
}
