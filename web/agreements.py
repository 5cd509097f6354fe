"""What an applicant accepts, word for word and by version: the service agreement (志愿服务协议) and the
consent to the processing of their personal data (PIPL arts. 13, 14, 17: what is kept, why, how long).
An application records the versions accepted; a new text takes a new version."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    version: str
    en: str
    zh: str

    def in_language(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


AGREEMENT = Text(
    "2026-12",
    "As a volunteer of this hospital I serve without pay, in the posts I am trained and qualified for. I keep "
    "what I learn about patients confidential, follow the instructions of staff and of the volunteer "
    "coordinator, check in and out of each shift, and tell the coordinator in good time when I cannot come. "
    "The hospital trains me for my post, insures me while I serve, records my service hours truthfully and "
    "issues a certificate of them on request. Either side may end this agreement at any time.",
    "本人自愿成为本院志愿者，无偿参加经培训并具备资质的岗位服务；对服务中知悉的患者信息保密；服从医务人员及志愿者协调员的"
    "指导；每次服务按时签到、签退，不能到岗时及时告知协调员。医院为本人提供岗前培训和服务期间的保险，如实记录服务时长，"
    "并应本人要求出具志愿服务证明。双方均可随时终止本协议。")

DATA_CONSENT = Text(
    "2026-12",
    "CareLedger keeps your name, phone number, identity document, date of birth, availability, languages and "
    "skills and an emergency contact, to assess your application, to arrange your shifts, to reach you about "
    "them and to certify your service hours, as the Volunteer Service Regulations require. Only the "
    "coordinators of your hospital see them. They are kept while you volunteer and for three years after "
    "your last service, then deleted; you may see them, have them corrected, and ask for them to be deleted at "
    "any time by asking your coordinator.",
    "CareLedger 保存您的姓名、手机号、身份证件、出生日期、可服务时间、语言与特长以及紧急联系人，用于审核报名、安排班次、"
    "就班次与您联系，并依《志愿服务条例》出具服务时长证明。仅本院志愿者协调员可查看。信息在您参加志愿服务期间及最后一次"
    "服务后三年内保存，之后删除；您可随时通过协调员查阅、更正或要求删除。")
