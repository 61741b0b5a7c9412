/**
 * Our own bound on a driver call that could otherwise wait on a server that accepts connections
 * and never answers. The late outcome of `work` is ignored.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      work.catch(() => undefined);
      reject(new Error(`MongoDB did not answer ${what} within ${ms} ms`));
    }, ms);
    work.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error); },
    );
  });
}
