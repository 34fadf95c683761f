import { Injectable } from '@nestjs/common';
import type { AclState } from '../../domain/acl-state';
import { AclReadModelRepository } from '../../read-model/acl-read-model.repository';
import { encodeCursor } from '../command-input';
import type { ListDocumentsQuery } from './list-documents.query';

@Injectable()
export class ListDocumentsHandler {
  constructor(private readonly readModel: AclReadModelRepository) {}

  async execute(query: ListDocumentsQuery): Promise<{ items: AclState[]; nextCursor: string | null }> {
    const page = await this.readModel.list(query.after, query.limit);
    return { items: page.items, nextCursor: page.last === null ? null : encodeCursor(page.last) };
  }
}
