import { Injectable } from '@nestjs/common';
import { AclError } from '../../domain/acl-error';
import { exists, type AclState } from '../../domain/acl-state';
import { AclReadModelRepository } from '../../read-model/acl-read-model.repository';
import type { GetDocumentQuery } from './get-document.query';

@Injectable()
export class GetDocumentHandler {
  constructor(private readonly readModel: AclReadModelRepository) {}

  async execute(query: GetDocumentQuery): Promise<AclState> {
    const state = await this.readModel.get(query.pattern);
    if (!state || !exists(state)) throw new AclError('not_found', `no ACL document for ${query.pattern}`);
    return state;
  }
}
