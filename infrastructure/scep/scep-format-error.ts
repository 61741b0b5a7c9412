/** Input that is not the SCEP structure it claims to be; the message is ours, never the input's. */
export class ScepFormatError extends Error {
  override readonly name = 'ScepFormatError';
}
