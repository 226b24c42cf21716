// Jest helper: a sandbox per test file (started once, reset before each test, closed at the end); for the engine tests.
/**
 * A sandbox for one test file: started before its tests, reset before each test (then `afterEachTest` after
 * each), closed after them all. The file uses it from the start; its calls reach the sandbox once it is up.
 */
export function sandboxPerFile<T extends object & { reset(): void; close(): Promise<unknown> }>(start: () => Promise<T>, afterEachTest?: (sandbox: T) => void): T {
	let started: T | undefined;
	const running = (): T => {
		if (!started) throw new Error('the sandbox is not up yet: use it inside a test');
		return started;
	};
	beforeAll(async () => {
		started = await start();
	});
	afterAll(async () => started?.close());
	beforeEach(() => running().reset());
	if (afterEachTest) afterEach(() => afterEachTest(running()));
	return new Proxy({} as T, {
		get: (_target, key) => {
			const value: unknown = Reflect.get(running(), key);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(running()) : value;
		},
		set: (_target, key, value) => Reflect.set(running(), key, value),
	});
}
