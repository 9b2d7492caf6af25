/** Why a shadow request is refused, with AWS IoT's codes: what comes back on `.../rejected`. */
export interface ShadowRejection {
  readonly code: 400 | 404 | 409 | 413 | 429 | 500;
  readonly message: string;
}

export type ShadowResult<T> = { ok: true; value: T } | { ok: false; rejection: ShadowRejection };

export function rejected<T>(code: ShadowRejection['code'], message: string): ShadowResult<T> {
  return { ok: false, rejection: { code, message } };
}
