import { maskEmail, maskPhone } from '../common/pii';
import { AgreementEntity } from './entities/agreement.entity';
import { PartnerContactEntity } from './entities/partner-contact.entity';
import { PartnerQualificationEntity } from './entities/partner-qualification.entity';
import { PartnerEntity } from './entities/partner.entity';
import { Agreement, Partner, PartnerContact, PartnerQualification } from './models/partner.model';
import { AgreementStatus, CooperationMode, PartnerKind, PartnerStatus, PartnerTier, RiskRating } from './partner.enums';

export function toPartner(e: PartnerEntity): Partner {
  return {
    id: e.id,
    code: e.code,
    kind: e.kind as PartnerKind,
    nameZh: e.nameZh,
    nameEn: e.nameEn,
    uscc: e.uscc,
    status: e.status as PartnerStatus,
    orgUnitId: e.orgUnitId,
    relationshipManagerId: e.relationshipManagerId,
    tier: e.tier as PartnerTier | null,
    riskRating: e.riskRating as RiskRating | null,
    relatedParty: e.relatedParty,
    blacklisted: e.blacklisted,
    blacklistReason: e.blacklistReason,
    version: e.version,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

export function toAgreement(e: AgreementEntity, partnerOrgUnitId?: string): Agreement {
  return {
    id: e.id,
    partnerId: e.partnerId,
    code: e.code,
    title: e.title,
    cooperationModes: e.cooperationModes as CooperationMode[],
    signedOn: e.signedOn,
    validFrom: e.validFrom,
    validTo: e.validTo,
    status: e.status as AgreementStatus,
    documents: e.documents.map((d) => ({ name: d.name, uri: d.uri, sha256: d.sha256 ?? null })),
    version: e.version,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    ...(partnerOrgUnitId ? { partnerOrgUnitId } : {}),
  };
}

export function toContact(e: PartnerContactEntity, reveal: boolean): PartnerContact {
  return {
    name: e.name,
    role: e.role,
    phone: e.phone === null ? null : reveal ? e.phone : maskPhone(e.phone.replace(/[^\d]/g, '')),
    email: e.email === null ? null : reveal ? e.email : maskEmail(e.email),
    masked: !reveal,
  };
}

export function toQualification(e: PartnerQualificationEntity, today: string): PartnerQualification {
  return {
    type: e.type,
    number: e.number,
    expiresOn: e.expiresOn,
    expired: e.expiresOn !== null && e.expiresOn < today,
  };
}
