import { parse } from 'yaml';
import { builtinCatalog } from '../../lib/pipeline/catalog.js';
import {
  compileYamlPipelines,
  PipelineDefinitionErrors,
} from '../../lib/pipeline/compile-yaml-pipelines.js';

function problemsOf(definitions: unknown): string[] {
  try {
    compileYamlPipelines(definitions, builtinCatalog());
  } catch (error) {
    if (error instanceof PipelineDefinitionErrors) return error.problems.map((p) => p.message);
    throw error;
  }
  return [];
}

describe('compileYamlPipelines', () => {
  it('compiles a valid definition into a named pipeline with its source', () => {
    const [pipeline, ...rest] = compileYamlPipelines(
      parse(`
        - name: heartbeat
          source: { type: timer, every: 10s }
          steps:
            - filter: { kind: timer.tick }
          routes:
            - topic: relay/heartbeat
              payload: '{{data.count}}'
              retain: true
        - name: shorthand
          source: timer
          routes: [{ topic: x }]
      `),
      builtinCatalog(),
    );
    expect(rest).toHaveLength(1);
    expect(pipeline?.name).toBe('heartbeat');
    expect(pipeline?.source).toEqual({ type: 'timer', every: '10s' });
  });

  it('reports every problem at once, each with its path', () => {
    const problems = problemsOf(
      parse(`
        - name: ''
          source: { type: carrier-pigeon }
          routes: []
        - name: twice
          source: timer
          steps:
            - explode: {}
            - filter: {}
              map: {}
          routes:
            - topic: 'a/+/b'
              qos: 3
              retain: 'yes'
              colour: red
        - name: twice
          source: timer
          routes: [{ topic: ok }]
          extra: 1
        - just a string
      `),
    );
    expect(problems).toEqual([
      'Relay.pipelines[0].name: expected a non-empty string',
      'Relay.pipelines[0].source.type: unknown source "carrier-pigeon"; known: log-appender, mqtt, proxy-log-appender, qlik-cloud-app-reload, timer, udp',
      'Relay.pipelines[0].routes: expected a non-empty list of routes',
      'Relay.pipelines[1].steps[0].explode: unknown step; known: filter',
      'Relay.pipelines[1].steps[1]: expected exactly one step name, e.g. "filter: {kind: …}"',
      'Relay.pipelines[1].routes[0].colour: unknown key (expected topic, payload, qos, retain, broker, expirySeconds, when)',
      'Relay.pipelines[1].routes[0].topic: got "a/+/b", expected a topic name or template without wildcards',
      'Relay.pipelines[1].routes[0].qos: got 3, expected 0, 1 or 2',
      'Relay.pipelines[1].routes[0].retain: expected true or false',
      'Relay.pipelines[2].extra: unknown key (expected name, source, steps, routes)',
      'Relay.pipelines[3]: expected an object with name, source and routes',
    ]);
  });

  it('rejects duplicate names and a non-list', () => {
    expect(
      problemsOf([
        { name: 'a', source: 'timer', routes: [{ topic: 't' }] },
        { name: 'a', source: 'timer', routes: [{ topic: 't' }] },
      ]),
    ).toEqual(['Relay.pipelines[1].name: duplicate name "a"']);
    expect(problemsOf({ name: 'a' })).toEqual(['Relay.pipelines: expected a list of pipelines']);
  });
});
