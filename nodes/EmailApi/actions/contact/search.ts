// Email API → Contact → Search: POST /contacts/search, followed by its searchAfter cursor. Uses transport, answers,
// common, customFieldValues, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { apiError, inputError, itemLabel } from '../../../shared/errors';
import { emailApiError, isSuccess } from '../../answers';
import { emailApiRequest, emailApiSettings, type EmailApiSettings } from '../../transport';
import { locationField, locationOf, returnAllFields } from '../common';
import { customFieldOf } from './customFieldValues';

const show = { resource: ['contact'], operation: ['search'] };

/** The most contacts HighLevel returns per request (its search document: pageLimit at most 500). */
export const CONTACT_PAGE_SIZE = 500;
/** HighLevel's search refuses longer string values and search terms (75 characters). */
export const MAX_SEARCH_VALUE = 75;
/** The most pages one item reads (10,000,000 contacts): an answer that never ends is an error, not an endless run. */
const MAX_CONTACT_PAGES = 20_000;
/** Standard paging (page numbers) reaches this many contacts at most; past it only searchAfter does. */
const STANDARD_PAGING_REACH = 10_000;

export const properties: INodeProperties[] = [
	locationField(show),
	...returnAllFields(show),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Custom Field',
				name: 'customFieldId',
				type: 'string',
				default: '',
				placeholder: 'e.g. contact.last_re_engaged',
				description:
					"With Custom Field Value: contacts whose custom field has that value. The field's key, name or ID.",
			},
			{
				displayName: 'Custom Field Value',
				name: 'customFieldValue',
				type: 'string',
				default: '',
			},
			{
				displayName: 'Date Added After',
				name: 'addedAfter',
				type: 'dateTime',
				default: '',
			},
			{
				displayName: 'Date Added Before',
				name: 'addedBefore',
				type: 'dateTime',
				default: '',
			},
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
			},
			{
				displayName: 'Phone',
				name: 'phone',
				type: 'string',
				default: '',
				placeholder: 'e.g. +14155550100',
			},
			{
				displayName: 'Search',
				name: 'query',
				type: 'string',
				default: '',
				description: "Matched against the contact's name, email, phone and more (at most 75 characters)",
			},
			{
				displayName: 'Tag',
				name: 'tag',
				type: 'string',
				default: '',
				placeholder: 'e.g. re-engaged',
			},
		],
	},
	{
		displayName: 'Sort by Date Added',
		name: 'sortDirection',
		type: 'options',
		options: [
			{ name: 'Newest First', value: 'desc' },
			{ name: 'Oldest First', value: 'asc' },
		],
		default: 'desc',
		displayOptions: { show },
	},
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Search',
	value: 'search',
	action: 'Search contacts',
	description: 'Find contacts by email, phone, tag, custom field or date added, page after page',
};

/**
 * POST /contacts/search, one request per page of up to 500: each next page asks for the contacts after the last
 * one's `searchAfter`, which reaches past 10,000 results (page numbers do not). Return All stops at the answer's
 * `total` or a short page; Limit as soon as it has enough.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const settings = await emailApiSettings(this);
	const locationId = locationOf(this, settings, itemIndex);
	const base: IDataObject = {
		locationId,
		filters: await filtersOf(this, settings, locationId, itemIndex),
		sort: [{ field: 'dateAdded', direction: this.getNodeParameter('sortDirection', itemIndex, 'desc') as string }],
	};
	const query = String((this.getNodeParameter('filters', itemIndex, {}) as IDataObject).query ?? '').trim();
	if (query) base.query = checkedValue(this, 'Search', query, itemIndex);
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const wanted = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);

	const contacts: IDataObject[] = [];
	let total = Infinity;
	let after: unknown[] | undefined;
	let page = 1;
	// Page numbers count in pages of one size: without a cursor, every request asks for as many as the first.
	let numberedLimit: number | undefined;
	while (contacts.length < wanted && contacts.length < total) {
		if (page > MAX_CONTACT_PAGES) {
			throw inputError(
				this.getNode(),
				`More than ${MAX_CONTACT_PAGES * CONTACT_PAGE_SIZE} contacts and the answers did not end (${itemLabel(itemIndex)})`,
				itemIndex,
				'Narrow the search with Filters, or set a Limit.',
			);
		}
		const pageLimit = after
			? Math.min(CONTACT_PAGE_SIZE, wanted - contacts.length)
			: (numberedLimit ??= Math.min(CONTACT_PAGE_SIZE, wanted));
		const body: IDataObject = { ...base, pageLimit };
		if (after) body.searchAfter = after;
		else body.page = page;
		const answer = await emailApiRequest(
			this,
			{ method: 'POST', idempotent: true, path: '/contacts/search', body, itemIndex },
			settings,
		);
		if (!isSuccess(answer)) {
			throw emailApiError(this.getNode(), answer, {
				action: 'search the contacts',
				scope: 'contacts.readonly',
				itemIndex,
			});
		}
		const answered = (answer.body ?? {}) as IDataObject;
		const found = Array.isArray(answered.contacts) ? (answered.contacts as IDataObject[]) : [];
		if (typeof answered.total === 'number' && Number.isFinite(answered.total)) total = answered.total;
		contacts.push(...found.slice(0, wanted - contacts.length));
		if (found.length < pageLimit) break;
		// The cursor comes with each contact (the last one's is the page's); some answers also carry it on top.
		const next = cursorOf(found[found.length - 1]) ?? cursorOf(answered);
		if (next && after && JSON.stringify(next) === JSON.stringify(after)) {
			throw apiError(this.getNode(), {
				message: `The contact search answered the same page twice (${itemLabel(itemIndex)})`,
				description: 'Its cursor (searchAfter) did not move, so the search was stopped. Run the item again.',
				itemIndex,
			});
		}
		if (!next && page * pageLimit >= STANDARD_PAGING_REACH) {
			throw inputError(
				this.getNode(),
				`The search has more than ${STANDARD_PAGING_REACH} contacts and its answer gave no cursor to go on (${itemLabel(itemIndex)})`,
				itemIndex,
				'Narrow the search with Filters (for example Date Added After / Before), or set a Limit.',
			);
		}
		after = next;
		page += 1;
	}
	return contacts;
}

function cursorOf(holder: IDataObject | undefined): unknown[] | undefined {
	const value = holder?.searchAfter;
	return Array.isArray(value) && value.length > 0 ? value : undefined;
}

/** The Filters collection as HighLevel's filter list (all of them must hold). */
async function filtersOf(
	ctx: IExecuteFunctions,
	settings: EmailApiSettings,
	locationId: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const given = ctx.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const filters: IDataObject[] = [];
	const text = (key: string) => String(given[key] ?? '').trim();
	const equal = (field: string, label: string, value: string) => {
		if (value) filters.push({ field, operator: 'eq', value: checkedValue(ctx, label, value, itemIndex) });
	};
	equal('email', 'Email', text('email').toLowerCase());
	equal('phone', 'Phone', text('phone'));
	equal('tags', 'Tag', text('tag'));
	const fieldId = text('customFieldId');
	const fieldValue = text('customFieldValue');
	if (fieldId || fieldValue) {
		if (!fieldId || !fieldValue) {
			throw inputError(
				ctx.getNode(),
				`A custom field filter needs both the field and a value (${itemLabel(itemIndex)})`,
				itemIndex,
				'Set "Custom Field" (its key, name or ID) and "Custom Field Value", or remove both.',
			);
		}
		// Read once per run (the location's fields), so that a key or name can be given, and checked.
		const field = await customFieldOf(
			ctx,
			settings,
			locationId,
			checkedValue(ctx, 'Custom Field', fieldId, itemIndex),
			itemIndex,
		);
		equal(`customFields.${field.id}`, 'Custom Field Value', fieldValue);
	}
	const range: IDataObject = {};
	for (const [key, bound, label] of [
		['addedAfter', 'gte', 'Date Added After'],
		['addedBefore', 'lte', 'Date Added Before'],
	] as const) {
		const value = text(key);
		if (!value) continue;
		const when = value.length <= 64 ? new Date(value) : new Date(NaN);
		if (Number.isNaN(when.getTime())) {
			throw inputError(
				ctx.getNode(),
				`"${label}" is not a date (${itemLabel(itemIndex)})`,
				itemIndex,
				'Use a date such as 2026-01-31 or 2026-01-31T08:00:00Z.',
			);
		}
		range[bound] = when.toISOString();
	}
	if (Object.keys(range).length) filters.push({ field: 'dateAdded', operator: 'range', value: range });
	return filters;
}

/** A value HighLevel's search takes: at most 75 characters (it refuses longer ones). */
function checkedValue(ctx: IExecuteFunctions, label: string, value: string, itemIndex: number): string {
	if (value.length > MAX_SEARCH_VALUE) {
		throw inputError(
			ctx.getNode(),
			`"${label}" is ${value.length} characters long (${itemLabel(itemIndex)})`,
			itemIndex,
			`HighLevel's contact search takes at most ${MAX_SEARCH_VALUE} characters per value.`,
		);
	}
	return value;
}
