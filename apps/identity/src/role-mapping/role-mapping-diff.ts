import type { GroupRoleMap } from '@modelgate/auth';

/** The mapping in one canonical form: groups sorted, each group's roles sorted and unique. */
export function canonicalRoleMap(map: GroupRoleMap): Record<string, string[]> {
  return Object.fromEntries(
    Object.keys(map)
      .sort()
      .map((g) => [g, [...new Set(map[g] ?? [])].sort()]),
  );
}

/** Groups whose roles differ between two mappings (added, removed or changed), sorted. */
export function changedGroups(previous: GroupRoleMap | null, current: GroupRoleMap): string[] {
  const before = canonicalRoleMap(previous ?? {});
  const after = canonicalRoleMap(current);
  const groups = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...groups]
    .filter((g) => JSON.stringify(before[g] ?? null) !== JSON.stringify(after[g] ?? null))
    .sort();
}
