/** Source of new IDs, injected so that core stays free of I/O and tests can be deterministic. */
export type IdFactory = () => string;
