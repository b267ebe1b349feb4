/** Test helper: the error a call rejects with, checked to be of the expected class. */
export async function rejection<E extends Error>(
  kind: new (...args: never[]) => E,
  call: Promise<unknown>,
): Promise<E> {
  const outcome = await call.then(
    () => new Error('expected the call to fail, it succeeded'),
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(kind);
  return outcome as E;
}
