import { describe, expect, it } from 'vitest';
import { InMemoryCounterStore } from '../../src/gateway/counters/index.js';
import { parseProductPolicy, PolicyConfigError } from '../../src/gateway/policies/index.js';
import { replenishTime } from '../../src/gateway/policies/quota/handler.js';
import { readXml, XmlSyntaxError } from '../../src/shared/xml-reader.js';

describe('readXml', () => {
  it('reads elements, attributes in either quotes, entities, comments and a declaration', () => {
    const root = readXml(`<?xml version="1.0"?>\n<!-- c --><a x="1" y='&lt;&amp;&#65;&#x42;'><b/><!-- d --><c>t &amp; u</c></a>`);
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual([{ name: 'x', value: '1' }, { name: 'y', value: '<&AB' }]);
    expect(root.children.map((c) => c.name)).toEqual(['b', 'c']);
    expect(root.children[1]!.text).toBe('t & u');
  });

  it('refuses what a policy document never needs, with the line', () => {
    const fails = (text: string, message: string) => {
      expect(() => readXml(text)).toThrow(XmlSyntaxError);
      expect(() => readXml(text)).toThrow(message);
    };
    fails('<!DOCTYPE a [<!ENTITY x "y">]><a/>', 'DOCTYPE and CDATA sections are not allowed (line 1)');
    fails('<a><![CDATA[x]]></a>', 'DOCTYPE and CDATA sections are not allowed');
    fails('<a>\n<b></a>', '</a> closes <b> (line 2)');
    fails('<a x="1" x="2"/>', "attribute 'x' appears twice in <a>");
    fails('<a x=1/>', 'attribute values must be quoted');
    fails('<a x="&nbsp;"/>', 'unknown entity &nbsp;');
    fails('<a x="a & b"/>', "a bare '&'");
    fails('<a/><b/>', 'content after the root element');
    fails('<a>', '<a> is not closed');
  });
});

describe('parseProductPolicy', () => {
  it("reads Starter's document, and an empty one as no limits", () => {
    expect(parseProductPolicy('<policies><inbound><rate-limit calls="5" renewal-period="60" /><quota calls="100" renewal-period="604800" /><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>')).toEqual({
      rateLimit: { calls: 5, renewalPeriod: 60, failMode: 'open' },
      quota: { calls: 100, renewalPeriod: 604800, failMode: 'open' },
    });
    expect(parseProductPolicy('<policies><inbound /><backend /><outbound /></policies>')).toEqual({ rateLimit: undefined, quota: undefined });
  });

  it('refuses anything else, naming it in the error target', () => {
    const target = (document: string): string => {
      try {
        parseProductPolicy(document);
      } catch (error) {
        expect(error).toBeInstanceOf(PolicyConfigError);
        return (error as PolicyConfigError).target;
      }
      throw new Error('accepted');
    };
    expect(target('<policies><inbound><set-header name="a" /></inbound></policies>')).toBe('set-header');
    expect(target('<policies><backend><forward-request /></backend></policies>')).toBe('forward-request');
    expect(target('<policies><inbound><rate-limit calls="1" renewal-period="1" /><rate-limit calls="1" renewal-period="1" /></inbound></policies>')).toBe('rate-limit');
    expect(target('<policies><inbound><quota calls="1" renewal-period="1" bandwidth="5" /></inbound></policies>')).toBe('quota/@bandwidth');
    expect(target('<policies><inbound><quota calls="0" renewal-period="1" /></inbound></policies>')).toBe('quota/@calls');
    expect(target('<policies><inbound><quota calls="@(1)" renewal-period="1" /></inbound></policies>')).toBe('quota/@calls');
    expect(target('<policies><inbound>text</inbound></policies>')).toBe('inbound');
    expect(target('<policy><inbound /></policy>')).toBe('policy');
    expect(target('<policies><inbound /><inbound /></policies>')).toBe('inbound');
    expect(target('<policies><inbound>')).toBe('value');
    expect(target('<policies><inbound><quota calls="1" renewal-period="1" portico-fail-mode="shut" /></inbound></policies>')).toBe('quota/@portico-fail-mode');
  });

  it("reads Portico's portico-fail-mode on each limit (default open)", () => {
    expect(parseProductPolicy('<policies><inbound><rate-limit calls="5" renewal-period="60" portico-fail-mode="closed" /><quota calls="9" renewal-period="600" portico-fail-mode="open" /></inbound></policies>')).toEqual({
      rateLimit: { calls: 5, renewalPeriod: 60, failMode: 'closed' },
      quota: { calls: 9, renewalPeriod: 600, failMode: 'open' },
    });
    expect(() => parseProductPolicy('<policies><inbound><rate-limit calls="5" renewal-period="60" portico-fail-mode="CLOSED" /></inbound></policies>')).toThrow(
      "Attribute 'portico-fail-mode' of <rate-limit> must be 'open' or 'closed'; 'CLOSED' is not.",
    );
  });
});

describe('InMemoryCounterStore', () => {
  it('counts up to the limit per key, refuses with the time left, and starts a new window when one ends', () => {
    const counters = new InMemoryCounterStore();
    expect([1, 2, 3].map(() => counters.take('a', 3, 60_000, 1_000))).toEqual([0, 0, 0]);
    expect(counters.take('a', 3, 60_000, 11_000)).toBe(50_000);
    expect(counters.take('b', 3, 60_000, 11_000)).toBe(0); // another key is counted apart
    expect(counters.take('a', 3, 60_000, 61_000)).toBe(0);
  });

  it('drops ended windows on sweep, and hands new calls to persistence once', () => {
    const counters = new InMemoryCounterStore();
    counters.take('a', 5, 1_000, 0);
    counters.take('b', 5, 10_000, 0);
    expect(counters.drainDeltas(500)).toEqual([
      { key: 'a', count: 1, resetsAt: 1_000 },
      { key: 'b', count: 1, resetsAt: 10_000 },
    ]);
    expect(counters.drainDeltas(500)).toEqual([]);
    counters.sweep(2_000);
    expect(counters.size).toBe(1);
    counters.restore([{ key: 'b', count: 4, resetsAt: 10_000 }, { key: 'c', count: 1, resetsAt: 1_500 }], 2_000);
    expect(counters.take('b', 5, 10_000, 3_000)).toBe(0);
    expect(counters.take('b', 5, 10_000, 3_000)).toBe(7_000);
    expect(counters.size).toBe(1); // 'c' had ended
  });

  it('a process that counts a share of each limit restores its share of the stored total, rounded up', () => {
    const share = new InMemoryCounterStore(() => 3); // three processes split each limit: 6 of 20 each
    share.restore([{ key: 'q', count: 10, resetsAt: 100_000 }], 0); // all three served 10 calls: this one counts 4
    expect(share.take('q', 6, 100_000, 1_000)).toBe(0);
    expect(share.take('q', 6, 100_000, 1_000)).toBe(0);
    expect(share.take('q', 6, 100_000, 1_000)).toBe(99_000);
  });

  it("reports a worker's new calls as deltas, and sums every worker's deltas into one total per window", () => {
    const worker = new InMemoryCounterStore();
    worker.restore([{ key: 'q', count: 10, resetsAt: 100_000 }], 0); // the stored total, loaded at start
    worker.take('q', 50, 100_000, 1_000);
    worker.take('q', 50, 100_000, 1_000);
    worker.take('r', 50, 5_000, 1_000);
    expect(worker.drainDeltas(2_000)).toEqual([
      { key: 'q', count: 2, resetsAt: 100_000 },
      { key: 'r', count: 1, resetsAt: 6_000 },
    ]);
    expect(worker.drainDeltas(2_000)).toEqual([]);
    worker.take('r', 50, 5_000, 7_000); // a new window: only its own call
    expect(worker.drainDeltas(7_000)).toEqual([{ key: 'r', count: 1, resetsAt: 12_000 }]);

    const totals = new InMemoryCounterStore();
    totals.restore([{ key: 'q', count: 10, resetsAt: 100_000 }], 0);
    totals.addDeltas([{ key: 'q', count: 2, resetsAt: 100_000 }], 2_000); // one worker
    totals.addDeltas([{ key: 'q', count: 3, resetsAt: 100_000 }, { key: 'r', count: 1, resetsAt: 6_000 }], 2_000); // the other
    totals.addDeltas([{ key: 's', count: 4, resetsAt: 1_000 }], 2_000); // its window ended: ignored
    expect(totals.take('q', 15, 100_000, 2_000)).toBe(98_000); // 10 restored + 5 reported: the quota of 15 is used
    expect(totals.drainDeltas(2_000)).toEqual([
      { key: 'q', count: 5, resetsAt: 100_000 }, // the new calls only: the store adds them to its 10
      { key: 'r', count: 1, resetsAt: 6_000 },
    ]);
    // Once the total's window has ended, a worker's delta of its later window starts a new one.
    totals.addDeltas([{ key: 'r', count: 2, resetsAt: 12_000 }], 7_000);
    totals.addDeltas([{ key: 'r', count: 1, resetsAt: 13_000 }], 7_500);
    expect(totals.drainDeltas(8_000)).toEqual([{ key: 'r', count: 3, resetsAt: 12_000 }]);
  });
});

describe('replenishTime', () => {
  it("prints hh:mm:ss, with days in front as .NET's TimeSpan does", () => {
    expect(replenishTime(59)).toBe('00:00:59');
    expect(replenishTime(3600)).toBe('01:00:00');
    expect(replenishTime(86_399)).toBe('23:59:59');
    expect(replenishTime(604_800)).toBe('7.00:00:00');
  });
});

describe('the pipeline', () => {
  it('runs the policies in the documented phases and order (docs/gateway.md)', async () => {
    const { pino } = await import('pino');
    const { Pipeline, POLICIES } = await import('../../src/gateway/policies/index.js');
    // create() only keeps its dependencies for later; none is used while ordering.
    const pipeline = new Pipeline(POLICIES.map((policy) => policy.create({} as never)), pino({ enabled: false }));
    const names = (phase: keyof typeof pipeline.byPhase) => pipeline.byPhase[phase].map((h) => h.name);
    expect(names('route')).toEqual(['path-safety', 'route']);
    expect(names('authenticate')).toEqual(['subscription-key', 'application-token']);
    expect(names('authorize')).toEqual(['access']);
    expect(names('limits')).toEqual(['rate-limit', 'quota']);
    expect(names('forward')).toEqual(['forward']);
    expect(names('log')).toEqual(['metrics', 'access-log']);
    expect(pipeline.requestHandlers.map((h) => h.name)).toEqual(['path-safety', 'route', 'subscription-key', 'application-token', 'access', 'rate-limit', 'quota', 'forward']);
  });
});
