// A document's rules by (principal number, operation): an open-addressing hash table of integer
// keys, built once and then only read, laid out as one array [key, entry, key, entry, ...] kept
// on the document itself, so that a probe costs as few dependent memory reads as it can (an
// index of a million rules does not fit in cache). A miss (the common case: a caller's roles are
// rarely named in a given document) stops at the first empty slot; a single rule is kept as
// itself, not in a one-element list.
import { CompiledRule } from './compiled-rule';

/** Slot value: the rule, or the rules, under one key. */
export type RuleEntry = CompiledRule | readonly CompiledRule[];

/** The table: 2^b slots of two elements each. */
export type RuleSlots = readonly (number | RuleEntry)[];

const EMPTY = 0; // keys are principal numbers (>= 1) times 4 plus an operation: never 0

/** The table of `entries` (every key with its rules, in document order), at most half full. */
export function buildRuleSlots(entries: ReadonlyMap<number, readonly CompiledRule[]>): RuleSlots {
  const capacity = 2 ** Math.max(1, Math.ceil(Math.log2(entries.size * 2)));
  const slots = new Array<number | RuleEntry>(2 * capacity).fill(EMPTY);
  for (const [key, rules] of entries) {
    let slot = slotOf(key, capacity - 1);
    while (slots[2 * slot] !== EMPTY) slot = (slot + 1) & (capacity - 1);
    slots[2 * slot] = key;
    slots[2 * slot + 1] = rules.length === 1 ? rules[0]! : rules.slice();
  }
  return slots;
}

export function findRules(slots: RuleSlots, key: number): RuleEntry | undefined {
  const mask = (slots.length >>> 1) - 1;
  for (let slot = slotOf(key, mask); ; slot = (slot + 1) & mask) {
    const found = slots[2 * slot];
    if (found === key) return slots[2 * slot + 1] as RuleEntry;
    if (found === EMPTY) return undefined;
  }
}

/** The top bits of a multiplicative hash (Knuth's golden ratio): spreads consecutive keys. */
function slotOf(key: number, mask: number): number {
  return Math.imul(key, 0x9e3779b1) >>> Math.clz32(mask);
}

/**
 * A document's key filter: two 32-bit words, each with one bit per key (a Bloom filter of two
 * hashes, partitioned: the top ten bits of a multiplicative hash). A key whose two bits are not both set is not in the table, which a
 * check learns from the document object it already read, without touching the table.
 */
export function keyHash(key: number): number {
  return Math.imul(key, 0x85ebca6b);
}

/** The key's bit in the first word of the filter. */
export function filterBitA(hash: number): number {
  return 1 << (hash >>> 27);
}

/** The key's bit in the second word of the filter. */
export function filterBitB(hash: number): number {
  return 1 << ((hash >>> 22) & 31);
}

export function isSingleRule(entry: RuleEntry): entry is CompiledRule {
  return entry instanceof CompiledRule;
}
