/** One `<appender>` of a log4net config, as far as the log-appender specs read it. */
export interface Appender {
  name: string;
  block: string;
  /** The `StringMatchFilter` strings, in order. */
  filters: string[];
  /** The layout's conversion pattern. */
  pattern: string;
}

/** A pattern element: `%hostname`, `%property{TaskName}`, … */
export const PATTERN_ELEMENT = /%property\{\w+\}|%\w+/g;

export function appendersOf(xml: string): Appender[] {
  return [...xml.matchAll(/<appender name="(\w+)"[\s\S]*?<\/appender>/g)].map(([block, name]) => ({
    name: name as string,
    block,
    filters: [...block.matchAll(/name="stringToMatch" value="([^"]*)"/g)].map(
      ([, v]) => v as string,
    ),
    pattern: /name="conversionpattern" value="([^"]*)"/.exec(block)?.[1] ?? '',
  }));
}
