// Reporter names, header-from domains, policy types: short lists kept in first-seen order.
export function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}
