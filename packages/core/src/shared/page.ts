/** A page of a keyset-paginated list: deep pages cost the same as the first (no OFFSET). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor: string | null;
}
