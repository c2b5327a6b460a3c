"""All models, imported here so the metadata is complete wherever models is imported."""

from models.base import UTCDateTime, utcnow
from models.campaign import Audience, CampaignKind, CampaignStatus, EmailCampaign
from models.catalog import Collection, Product, ProductImage, product_collections, slugify
from models.customer import (
    Address,
    Customer,
    CustomerEvent,
    CustomerEvents,
    CustomerGroup,
    CustomerNote,
    CustomerPhone,
    CustomerSegment,
    CustomerStatus,
    CustomerTag,
    Gender,
    RegistrationClaim,
    Tag,
    fold,
    fold_parts,
    lower_exact,
    search_columns,
)
from models.job import Job, JobStatus
from models.login_session import LoginSession
from models.notification import NotificationTemplate
from models.order import (
    Favourite,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from models.outbox import MailStatus, OutboxMessage
from models.shop import RESERVED_SLUGS, Role, Shop, ShopMembership, StaffInvitation, StaffUser
from models.transfer import CustomerImport, ExportFile, ExportTemplate, ImportStatus
from models.voucher import Voucher, VoucherKind, VoucherStatus, VoucherUse

__all__ = [
    "Audience",
    "CampaignKind",
    "CampaignStatus",
    "EmailCampaign",
    "Favourite",
    "Order",
    "OrderLine",
    "NotificationTemplate",
    "OrderStatus",
    "PaymentMethod",
    "PaymentStatus",
    "RESERVED_SLUGS",
    "Address",
    "Customer",
    "CustomerEvent",
    "CustomerEvents",
    "CustomerGroup",
    "CustomerImport",
    "ExportFile",
    "ExportTemplate",
    "ImportStatus",
    "CustomerNote",
    "CustomerPhone",
    "CustomerSegment",
    "Collection",
    "CustomerStatus",
    "CustomerTag",
    "Gender",
    "fold",
    "fold_parts",
    "lower_exact",
    "search_columns",
    "Job",
    "JobStatus",
    "LoginSession",
    "MailStatus",
    "OutboxMessage",
    "RegistrationClaim",
    "Role",
    "Shop",
    "Product",
    "ProductImage",
    "ShopMembership",
    "StaffInvitation",
    "StaffUser",
    "Tag",
    "UTCDateTime",
    "product_collections",
    "slugify",
    "utcnow",
    "Voucher",
    "VoucherKind",
    "VoucherStatus",
    "VoucherUse",
]
