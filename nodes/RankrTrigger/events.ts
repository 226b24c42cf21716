// Rankr Trigger: the event types, the event filters and the normalised event. Uses shared/description.
import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';

import { byName } from '../shared/description';

/** Every event type Rankr sends, with its name in the trigger's Events list. */
const EVENT_NAMES = {
	UserCreate: 'User Created (Signup)',
	UserUpdate: 'User Updated',
	UserDelete: 'User Deleted',
	UserRankUpdate: 'User Rank Changed',
	UserInactive: 'User Inactive',
} as const;

const EVENT_TYPES = Object.keys(EVENT_NAMES) as Array<keyof typeof EVENT_NAMES>;

export interface EventFilters {
	events: string[];
	rankFilter: 'any' | 'enteredTopN' | 'leftTopN' | 'improved' | 'worsened';
	topN: number;
	minInactiveDays: number;
}

/** Which rank changes start the workflow, with its name in the trigger's Rank Filter (rank 1 is the best). */
const RANK_FILTER_NAMES: Record<EventFilters['rankFilter'], string> = {
	any: 'Any Change',
	worsened: 'Only Drops',
	improved: 'Only Improvements',
	enteredTopN: 'Rank Enters the Top N',
	leftTopN: 'Rank Leaves the Top N',
};

/** A value → name table as n8n options, by name as n8n lists them. */
const optionsByName = (names: Record<string, string>): INodePropertyOptions[] =>
	Object.entries(names)
		.map(([value, name]) => ({ name, value }))
		.sort(byName);

export const EVENT_OPTIONS: INodePropertyOptions[] = [
	{ name: 'All Events', value: '*' },
	...optionsByName(EVENT_NAMES),
];
export const RANK_FILTER_OPTIONS = optionsByName(RANK_FILTER_NAMES);

const toInt = (value: unknown): number | undefined => {
	const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
	return Number.isFinite(n) ? n : undefined;
};

/** Why an event does not start the workflow, or undefined when it should. */
export function filteredOut(event: IDataObject, filters: EventFilters): string | undefined {
	const type = String(event.type ?? '');
	if (!(EVENT_TYPES as readonly string[]).includes(type)) return `unknown event type "${type}"`;
	if (!filters.events.includes('*') && !filters.events.includes(type)) return `event ${type} is not selected`;
	if (type === 'UserRankUpdate' && filters.rankFilter !== 'any') {
		const rank = toInt(event.rank);
		const previous = toInt(event.previousRank);
		if (rank === undefined || previous === undefined) return 'rank update without rank and previousRank';
		const n = filters.topN;
		const pass = {
			enteredTopN: previous > n && rank <= n,
			leftTopN: previous <= n && rank > n,
			improved: rank < previous, // 1 is the best rank
			worsened: rank > previous,
		}[filters.rankFilter];
		if (!pass) return `rank change ${previous} → ${rank} does not match the rank filter`;
	}
	if (type === 'UserInactive' && filters.minInactiveDays > 0) {
		const days = toInt(event.inactiveDays) ?? 0;
		if (days < filters.minInactiveDays) return `inactive for ${days} days, fewer than ${filters.minInactiveDays}`;
	}
	return undefined;
}

/** The event as delivered, plus the fields every flow needs under fixed names. */
export function normalise(event: IDataObject, receivedAt: Date): IDataObject {
	const fullName = [event.firstName, event.lastName].filter((p) => typeof p === 'string' && p.trim()).join(' ');
	return {
		...event,
		event: event.type,
		userId: event.id ?? null,
		email: event.email ?? null,
		fullName: fullName || (typeof event.name === 'string' ? event.name : null),
		rank: toInt(event.rank) ?? null,
		previousRank: toInt(event.previousRank) ?? null,
		inactiveDays: toInt(event.inactiveDays) ?? null,
		receivedAt: receivedAt.toISOString(),
	};
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether a JSON text nests objects and arrays deeper than `max`: one pass over the bytes, brackets inside
 * strings not counted. A body nested thousands deep parses, but then breaks n8n when it stores the run.
 */
export function nestedDeeperThan(raw: Buffer, max: number): boolean {
	let depth = 0;
	let inString = false;
	for (let i = 0; i < raw.length; i++) {
		const byte = raw[i];
		if (inString) {
			if (byte === BACKSLASH) i++;
			else if (byte === QUOTE) inString = false;
		} else if (byte === QUOTE) inString = true;
		else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
			if (++depth > max) return true;
		} else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
	}
	return false;
}
