/**
 * Sets `key` in `map`, first dropping the oldest entry when the map already holds `max` (Maps iterate in insertion
 * order): the isolate-wide memories stay bounded whatever the traffic.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max && !map.has(key)) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}
