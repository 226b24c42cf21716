// Email API → User → Get Many: GET /users/search, page by page (HighLevel marks GET /users/ deprecated). Uses
// transport, answers, common, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { inputError, itemLabel } from '../../../shared/errors';
import { emailApiError, isSuccess } from '../../answers';
import { emailApiRequest, emailApiSettings } from '../../transport';
import { locationField, returnAllFields } from '../common';

const show = { resource: ['user'], operation: ['getMany'] };

/** Users asked for per request. The document gives no maximum; 100 keeps each answer small. */
export const USER_PAGE_SIZE = 100;
/** The most pages one item reads (100,000 users): an answer that never ends is an error, not an endless run. */
const MAX_USER_PAGES = 1_000;
/** HighLevel's search matches a term against names, emails and phones; a longer one cannot match anything. */
const MAX_SEARCH_LENGTH = 320;

export const properties: INodeProperties[] = [
	{
		...locationField(show),
		description:
			"Only users of this sub-account (location). Empty: the credential's location, or the whole company when the credential has none.",
	},
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
				displayName: 'Role',
				name: 'role',
				type: 'options',
				options: [
					{ name: 'Admin', value: 'admin' },
					{ name: 'User', value: 'user' },
				],
				default: 'user',
			},
			{
				displayName: 'Search',
				name: 'query',
				type: 'string',
				default: '',
				placeholder: 'e.g. ada@example.com',
				description: "Matched against each user's name, email and phone",
			},
			{
				displayName: 'Type',
				name: 'type',
				type: 'options',
				options: [
					{ name: 'Account (Sub-Account User)', value: 'account' },
					{ name: 'Agency', value: 'agency' },
				],
				default: 'account',
			},
		],
	},
	{
		displayName: 'Sort',
		name: 'sort',
		type: 'collection',
		placeholder: 'Add Sort',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'By',
				name: 'field',
				type: 'options',
				options: [
					{ name: 'Name', value: 'name' },
					{ name: 'Date Added', value: 'dateAdded' },
				],
				default: 'name',
				description: 'HighLevel sorts by first and last name unless told otherwise',
			},
			{
				displayName: 'Direction',
				name: 'direction',
				type: 'options',
				options: [
					{ name: 'Ascending', value: 'asc' },
					{ name: 'Descending', value: 'desc' },
				],
				default: 'asc',
			},
		],
	},
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Get Many',
	value: 'getMany',
	action: 'Get many users',
	description: 'Search the users of the company or of a location',
};

/**
 * GET /users/search?companyId=&skip=&limit=…, one request per page: Return All follows the pages until the
 * answer's `count` is reached (or a page comes back short); Limit stops as soon as it has enough.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const settings = await emailApiSettings(this);
	const node = this.getNode();
	if (!settings.companyId) {
		throw inputError(
			node,
			`No company ID to search the users of (${itemLabel(itemIndex)})`,
			itemIndex,
			'Set "Company ID" in the Email API credential: HighLevel searches users within a company.',
		);
	}
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const sort = this.getNodeParameter('sort', itemIndex, {}) as IDataObject;
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const wanted = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);

	const qs: IDataObject = { companyId: settings.companyId };
	const locationId = String(this.getNodeParameter('locationId', itemIndex, '') ?? '').trim() || settings.locationId;
	if (locationId) qs.locationId = locationId;
	const query = String(filters.query ?? '').trim();
	if (query.length > MAX_SEARCH_LENGTH) {
		throw inputError(
			node,
			`The search term is ${query.length} characters long (${itemLabel(itemIndex)})`,
			itemIndex,
			`Use at most ${MAX_SEARCH_LENGTH} characters: it is matched against names, emails and phones.`,
		);
	}
	if (query) qs.query = query;
	if (filters.role) qs.role = filters.role;
	if (filters.type) qs.type = filters.type;
	if (sort.field && sort.field !== 'name') qs.sort = sort.field;
	if (sort.direction) qs.sortDirection = sort.direction;

	const users: IDataObject[] = [];
	let total = Infinity;
	let previousFirst: unknown;
	// Bounded by the count the answer gives, a short or empty page, a page that repeats, and MAX_USER_PAGES.
	for (let pages = 0; users.length < wanted && users.length < total; pages++) {
		if (pages === MAX_USER_PAGES) {
			throw inputError(
				node,
				`More than ${MAX_USER_PAGES * USER_PAGE_SIZE} users and the answers did not end (${itemLabel(itemIndex)})`,
				itemIndex,
				'Narrow the search with Filters, or set a Limit.',
			);
		}
		const limit = Math.min(USER_PAGE_SIZE, wanted - users.length);
		const answer = await emailApiRequest(
			this,
			{
				method: 'GET',
				path: '/users/search',
				qs: { ...qs, skip: String(users.length), limit: String(limit) },
				itemIndex,
			},
			settings,
		);
		if (!isSuccess(answer)) {
			throw emailApiError(node, answer, { action: 'search the users', scope: 'users.readonly', itemIndex });
		}
		const body = (answer.body ?? {}) as IDataObject;
		const page = Array.isArray(body.users) ? (body.users as IDataObject[]) : [];
		if (typeof body.count === 'number' && Number.isFinite(body.count)) total = body.count;
		// An API that ignores skip would answer the same page forever.
		if (page.length > 0 && pages > 0 && page[0]?.id !== undefined && page[0].id === previousFirst) break;
		previousFirst = page[0]?.id;
		users.push(...page.slice(0, wanted - users.length));
		if (page.length < limit) break;
	}
	return users;
}
