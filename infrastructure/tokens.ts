/** Injection tokens for infrastructure services (application ports carry their own). */
export const CONFIG = Symbol.for('mdm.Config');
export const METRICS = Symbol.for('mdm.MetricsRegistry');
export const LIFECYCLE = Symbol.for('mdm.Lifecycle');
export const MDM_ROUTES = Symbol.for('mdm.MdmRoutes');
export const CHECK_IN_SERVICE = Symbol.for('mdm.CheckInService');
export const REPORT_SERVICE = Symbol.for('mdm.ReportService');
export const COMMAND_QUEUE_SERVICE = Symbol.for('mdm.CommandQueueService');
export const DEVICE_STATE_CACHE = Symbol.for('mdm.DeviceStateCache');
export const READINESS_DETAILS = Symbol.for('mdm.ReadinessDetails');
export const SCEP_ROUTES = Symbol.for('mdm.ScepRoutes');
export const ENROLLMENT_ROUTES = Symbol.for('mdm.EnrollmentRoutes');
export const WEB_ENROLLMENT_ROUTES = Symbol.for('mdm.WebEnrollmentRoutes');
export const CRL_ROUTES = Symbol.for('mdm.CrlRoutes');
/** The revocation registry (CertificateRevocations): revoke({ sha256, reason, actor }) and isRevoked(sha256). */
export const CERTIFICATE_REVOCATIONS = Symbol.for('mdm.CertificateRevocations');
/** () => ProjectionStatus[]: the read models' progress, for /readyz/projections. */
export const PROJECTION_STATUS = Symbol.for('mdm.ProjectionStatus');
/** Router: the admin API under /api/v1, bearer authentication and roles included. */
export const ADMIN_API_ROUTES = Symbol.for('mdm.AdminApiRoutes');
/** The admin API's command-side paths, merged into /openapi.json. */
export const ADMIN_API_PATHS = Symbol.for('mdm.AdminApiPaths');
