// Topic names and filters (MQTT 3.1.1 §4.7): a PUBLISH topic never holds a
// wildcard; in a filter '#' is alone and last, '+' fills a whole level.

/** A PUBLISH topic: non-empty, no '+' or '#'. */
export function isTopicName(topic: string): boolean {
  if (topic.length === 0) return false;
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x2b || c === 0x23) return false;
  }
  return true;
}

/** A SUBSCRIBE/UNSUBSCRIBE filter: non-empty, wildcards only where §4.7.1 allows them. */
export function isTopicFilter(filter: string): boolean {
  if (filter.length === 0) return false;
  for (let i = 0; i < filter.length; i++) {
    const c = filter.charCodeAt(i);
    const levelStart = i === 0 || filter.charCodeAt(i - 1) === 0x2f;
    const levelEnd = i === filter.length - 1 || filter.charCodeAt(i + 1) === 0x2f;
    if (c === 0x2b && !(levelStart && levelEnd)) return false;
    if (c === 0x23 && !(levelStart && i === filter.length - 1)) return false;
  }
  return true;
}
