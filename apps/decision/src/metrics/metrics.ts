// The service's Prometheus metrics: a tiny registry (counters and gauges with fixed label
// sets), rendered in the text exposition format by the metrics controller.
import { Injectable } from '@nestjs/common';

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly values: Map<string, number>;
  readonly collect?: () => number;
}

function labelText(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

@Injectable()
export class Metrics {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const family = this.family(name, help, 'counter');
    return (labels, by = 1) => {
      const key = labelText(labels);
      family.values.set(key, (family.values.get(key) ?? 0) + by);
    };
  }

  gauge(name: string, help: string): (value: number, labels?: Labels) => void {
    const family = this.family(name, help, 'gauge');
    return (value, labels) => void family.values.set(labelText(labels), value);
  }

  /** A gauge read when scraped. */
  collected(name: string, help: string, collect: () => number): void {
    this.families.set(name, { help, type: 'gauge', values: new Map(), collect });
  }

  /** The current value of a series (for tests and the service's own decisions). */
  value(name: string, labels?: Labels): number {
    const family = this.families.get(name);
    if (family?.collect) return family.collect();
    return family?.values.get(labelText(labels)) ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      if (family.collect) lines.push(`${name} ${family.collect()}`);
      for (const [labels, value] of family.values) lines.push(`${name}${labels} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private family(name: string, help: string, type: Family['type']): Family {
    let family = this.families.get(name);
    if (family === undefined) {
      family = { help, type, values: new Map() };
      this.families.set(name, family);
    }
    return family;
  }
}
