import { runBrokerOutageScenario } from './broker-outage.scenario.js';

// OUTAGE_SECONDS=30 npm test -- spec/sinks/broker-outage runs the long variant.
const outageSeconds = Number(process.env.OUTAGE_SECONDS ?? 3);

describe('a broker outage', () => {
  it(
    `loses nothing and keeps the order when the broker is away for ${outageSeconds} s`,
    async () => {
      const result = await runBrokerOutageScenario({ outageSeconds });

      expect(result.sentDuringOutage).toBeGreaterThan(0);
      expect(result.outcomes.filter((o) => o.status !== 'delivered')).toEqual([]);
      expect(result.outcomes).toHaveLength(result.sent.length);
      // A message in flight when the broker went away may arrive twice; none may be missing or
      // overtake an older one.
      expect([...new Set(result.received)]).toEqual(result.sent);
    },
    (outageSeconds + 25) * 1_000,
  );
});
