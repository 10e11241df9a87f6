/** The part of the `jsonld` package (it ships no types) the open-data tests use. */
declare module 'jsonld' {
  const jsonld: {
    expand(
      input: unknown,
      options?: { documentLoader?: (url: string) => Promise<unknown> },
    ): Promise<unknown[]>;
  };
  export default jsonld;
}
