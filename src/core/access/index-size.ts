/** Open-addressing index size: a power of two keeping the load factor at or below 0.7. */
export function indexSizeFor(rows: number): number {
  let size = 16;
  while (size * 7 < rows * 10) size *= 2;
  return size;
}
