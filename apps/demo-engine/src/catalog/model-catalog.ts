// The models this engine serves, in the shapes of OpenAI's and vLLM's `/v1/models`.

/** A fixed `created` (2025-12-01T00:00:00Z): model listings stay byte-identical across restarts. */
export const MODEL_CREATED_AT = 1_764_547_200;

/** What the engine claims as context length; also the cap on `max_tokens`. */
export const MAX_MODEL_LEN = 100_000;

export interface ModelCard {
  readonly id: string;
  readonly object: 'model';
  readonly created: number;
  readonly owned_by: string;
  readonly root: string;
  readonly parent: null;
  readonly max_model_len: number;
}

export class ModelCatalog {
  private readonly cards: ReadonlyMap<string, ModelCard>;

  constructor(ids: readonly string[]) {
    this.cards = new Map(
      ids.map((id) => [
        id,
        {
          id,
          object: 'model',
          created: MODEL_CREATED_AT,
          owned_by: 'modelgate-demo',
          root: id,
          parent: null,
          max_model_len: MAX_MODEL_LEN,
        },
      ]),
    );
  }

  /** Exact match only: `Qwen3-7b-chat` or `qwen3-7b-chat ` are other (unknown) models. */
  find(id: string): ModelCard | undefined {
    return this.cards.get(id);
  }

  list(): { object: 'list'; data: ModelCard[] } {
    return { object: 'list', data: [...this.cards.values()] };
  }
}
