package api

// staffWriteRoutes are the dashboard's endpoints that change a studio's data.
func (s *server) staffWriteRoutes() []route {
	return nil
}
